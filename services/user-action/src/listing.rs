//! Rendered getUserActions answers, kept per application and filter with the
//! application revision they were rendered at.
//!
//! An application's `revision` changes (by database trigger) with every
//! write to its applicants or actions, on whichever replica it happens. A
//! listing is served from here only when its revision is still the stored
//! one, so a cached answer is never staler than a fresh read would be; it
//! just skips reading and rendering rows that have not changed.

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

/// Which listing: the application and the `isPre` filter.
type Key = (String, Option<bool>);

/// A rendered listing and the revision it shows.
#[derive(Clone)]
struct Rendered {
    revision: i64,
    body: Bytes,
}

/// Weighs a listing by its size, so the cache is bounded in bytes.
#[derive(Clone)]
struct BySize;

impl Weighter<Key, Rendered> for BySize {
    fn weight(&self, key: &Key, value: &Rendered) -> u64 {
        (key.0.len() + value.body.len()) as u64
    }
}

/// The listing cache, bounded in bytes.
pub struct Listings(Option<Cache<Key, Rendered, BySize>>);

/// A typical listing's size, to size the cache's index.
const TYPICAL_LISTING_BYTES: u64 = 8 * 1024;

impl Listings {
    /// A cache holding at most `max_bytes` of listings; none when 0.
    pub fn new(max_bytes: u64) -> Self {
        Self((max_bytes > 0).then(|| {
            let items = (max_bytes / TYPICAL_LISTING_BYTES).max(1) as usize;
            Cache::with_weighter(items, max_bytes, BySize)
        }))
    }

    /// The listing of `application` with filter `pre`, if it was rendered at
    /// `revision`.
    pub fn get(&self, application: &str, pre: Option<bool>, revision: i64) -> Option<Bytes> {
        let cache = self.0.as_ref()?;
        cache
            .get(&(application.to_owned(), pre))
            .filter(|rendered| rendered.revision == revision)
            .map(|rendered| rendered.body)
    }

    /// Keeps `body`, rendered at `revision`.
    pub fn put(&self, application: &str, pre: Option<bool>, revision: i64, body: Bytes) {
        if let Some(cache) = &self.0 {
            cache.insert((application.to_owned(), pre), Rendered { revision, body });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_served_only_at_its_revision() {
        let listings = Listings::new(1 << 20);
        listings.put("A1", Some(true), 3, Bytes::from_static(b"{}"));
        assert_eq!(
            listings.get("A1", Some(true), 3).as_deref(),
            Some(&b"{}"[..])
        );
        assert_eq!(listings.get("A1", Some(true), 4), None);
        assert_eq!(listings.get("A1", None, 3), None);
        assert_eq!(listings.get("A2", Some(true), 3), None);
    }

    #[test]
    fn a_zero_sized_cache_keeps_nothing() {
        let listings = Listings::new(0);
        listings.put("A1", None, 1, Bytes::from_static(b"{}"));
        assert_eq!(listings.get("A1", None, 1), None);
    }
}
