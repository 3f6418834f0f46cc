//! Content pages: the home page, sections (the blog paginated, newest first;
//! the explainers by weight), single pages and posts, and the 404 page.

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::Renderer;
use super::registry_pages::paginate;
use super::views::Vocabulary;
use crate::content::{BLOG_SECTION, Content, Page};
use crate::diagnostics::Diagnostic;
use crate::ladder::Level;
use crate::output::OutputFile;
use crate::registry::Registry;

/// A page as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct PageView<'a> {
    /// Title.
    pub title: &'a str,
    /// Description.
    pub description: &'a str,
    /// ISO date.
    pub date: Option<String>,
    /// `12 mei 2026`.
    pub date_text: Option<String>,
    /// Rendered body.
    pub content: &'a str,
    /// Headings.
    pub toc: &'a [crate::markdown::TocEntry],
    /// Root-relative URL.
    pub url: String,
    /// Section folder.
    pub section: &'a str,
    /// Free values.
    pub extra: &'a toml::Table,
}

/// The view of a page.
pub fn page_view<'a>(r: &Renderer, page: &'a Page) -> PageView<'a> {
    PageView {
        title: &page.title,
        description: &page.description,
        date: page.date.map(|d| d.to_string()),
        date_text: page.date.map(|d| r.long_date(d)),
        content: &page.html,
        toc: &page.toc,
        url: r.urls.path_url(&page.output_dir),
        section: &page.section,
        extra: &page.extra,
    }
}

fn template_for(page: &Page) -> String {
    if let Some(t) = &page.template {
        return t.clone();
    }
    let name = match (page.is_index, page.section.as_str()) {
        (true, "") => "home.html",
        (true, BLOG_SECTION) => "blog.html",
        (true, _) => "section.html",
        (false, BLOG_SECTION) => "post.html",
        (false, _) => "page.html",
    };
    name.to_string()
}

/// A level with its count, for the home page's ladder.
#[derive(Debug, Serialize)]
struct LevelCount {
    key: &'static str,
    label: String,
    count: usize,
    url: String,
}

/// Every content page, the home page and 404.
pub fn pages(
    r: &Renderer,
    words: &Vocabulary,
    content: &Content,
    registry: &Registry,
    blog_page_size: usize,
) -> Result<Vec<OutputFile>, Diagnostic> {
    let level_counts: Vec<LevelCount> = Level::ALL
        .iter()
        .rev()
        .map(|l| LevelCount {
            key: l.key(),
            label: words.level(*l).label.clone(),
            count: registry
                .organisations
                .iter()
                .filter(|c| c.level == *l && words.status(c.status).ok)
                .count(),
            url: r.urls.path_url(&format!("register/trede/{}/", l.key())),
        })
        .collect();
    let posts: Vec<PageView> = content
        .section_pages(BLOG_SECTION)
        .into_iter()
        .map(|p| page_view(r, p))
        .collect();
    let explainers: Vec<PageView> = content
        .section_pages(crate::content::EXPLAINER_SECTION)
        .into_iter()
        .map(|p| page_view(r, p))
        .collect();
    let current = registry
        .organisations
        .iter()
        .filter(|c| words.status(c.status).ok)
        .count();
    // What the home page shows besides its text.
    let home_values = |context: &mut Context| {
        context.insert("levels", &level_counts);
        context.insert("total", &current);
        context.insert("latest_posts", &posts[..posts.len().min(3)]);
        context.insert("explainers", &explainers);
    };
    let mut files: Vec<OutputFile> = content
        .pages
        .par_iter()
        .filter(|p| !(p.is_index && p.section == BLOG_SECTION))
        .map(|page| {
            let view = page_view(r, page);
            let mut context = Context::new();
            context.insert("page_title", page.title.as_str());
            context.insert("page_url", &view.url);
            context.insert("description", page.description.as_str());
            if page.is_index {
                let children: Vec<PageView> = content
                    .section_pages(&page.section)
                    .into_iter()
                    .map(|p| page_view(r, p))
                    .collect();
                context.insert("children", &children);
            }
            if page.is_index && page.section.is_empty() {
                home_values(&mut context);
            }
            context.insert("page", &view);
            let html = r.render(&template_for(page), &context)?;
            Ok(OutputFile::new(
                format!("{}index.html", page.output_dir),
                html,
            ))
        })
        .collect::<Result<_, Diagnostic>>()?;
    if let Some(blog) = content.page("blog/_index.md") {
        let view = page_view(r, blog);
        let mut context = crate::render::PageContext::new(r);
        context.insert("page_title", blog.title.as_str());
        context.insert("description", blog.description.as_str());
        context.insert("page", &view);
        files.extend(paginate(
            r,
            &template_for(blog),
            &blog.output_dir,
            &posts,
            blog_page_size,
            &context,
            None,
        )?);
    }
    if content.page("_index.md").is_none() {
        // A folder with only records still gets a home page.
        let home = Page {
            source_path: "_index.md".into(),
            section: String::new(),
            is_index: true,
            title: r.site_title.clone(),
            date: None,
            description: String::new(),
            weight: 0,
            template: None,
            extra: toml::Table::new(),
            output_dir: String::new(),
            html: String::new(),
            toc: Vec::new(),
            markdown: String::new(),
        };
        let mut context = Context::new();
        context.insert("page", &page_view(r, &home));
        context.insert("page_url", &r.urls.path_url(""));
        home_values(&mut context);
        files.push(OutputFile::new(
            "index.html",
            r.render("home.html", &context)?,
        ));
    }
    let mut context = Context::new();
    context.insert("page_title", &r.t("not_found_title"));
    context.insert("page_url", &r.urls.path_url("404.html"));
    files.push(OutputFile::new("404.html", r.render("404.html", &context)?));
    Ok(files)
}
