//! Where things live in the output: one place that maps pages and files to
//! output paths and URLs, so that every link respects `base_url`, including
//! a sub-path.

/// Output paths (relative, `/`-separated) and their URLs under a base URL.
#[derive(Debug, Clone)]
pub struct Urls {
    /// Absolute base URL, ending in `/`.
    base_url: String,
    /// Its path part, starting and ending in `/`.
    base_path: String,
}

impl Urls {
    /// URLs under `base_url`, which must end in `/`.
    pub fn new(base_url: &str) -> Self {
        let after_scheme = base_url.split_once("://").map_or("", |(_, r)| r);
        let base_path = match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        };
        Urls {
            base_url: base_url.to_string(),
            base_path,
        }
    }

    /// The absolute base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base path, e.g. `/registry/`.
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Root-relative URL (`/registry/organisaties/x/`) of an output path
    /// (`organisaties/x/index.html` or `organisaties/x/`).
    pub fn path_url(&self, output_path: &str) -> String {
        let trimmed = output_path
            .strip_suffix("index.html")
            .unwrap_or(output_path);
        format!("{}{}", self.base_path, trimmed.trim_start_matches('/'))
    }

    /// Absolute URL of an output path.
    pub fn absolute(&self, output_path: &str) -> String {
        let trimmed = output_path
            .strip_suffix("index.html")
            .unwrap_or(output_path);
        format!("{}{}", self.base_url, trimmed.trim_start_matches('/'))
    }
}

/// Output folder of an organisation's page.
pub fn organisation_dir(id: &str) -> String {
    format!("organisaties/{id}/")
}

/// Output path of an organisation's wide badge.
pub fn badge_path(id: &str) -> String {
    format!("organisaties/{id}/badge.svg")
}

/// Output path of an organisation's compact badge.
pub fn compact_badge_path(id: &str) -> String {
    format!("organisaties/{id}/badge-compact.svg")
}

/// Output path of an organisation's JSON file (its `registry.json` object).
pub fn organisation_json_path(id: &str) -> String {
    format!("organisaties/{id}/organisatie.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_paths_are_kept() {
        let urls = Urls::new("https://u.github.io/reg/");
        assert_eq!(urls.base_path(), "/reg/");
        assert_eq!(
            urls.path_url("organisaties/a/index.html"),
            "/reg/organisaties/a/"
        );
        assert_eq!(
            urls.absolute("data/registry.json"),
            "https://u.github.io/reg/data/registry.json"
        );
        assert_eq!(Urls::new("https://x.nl/").path_url("index.html"), "/");
    }
}
