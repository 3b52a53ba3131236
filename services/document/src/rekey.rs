//! `onboarding rekey` for documents: every stored object not sealed under
//! the active key (or not sealed at all: written before sealing) is sealed
//! again, one at a time, so memory holds one document at most. Each is
//! checked against its recorded size and SHA-256 first: an object that is
//! not the document's stops the rekey, naming the document, rather than
//! being sealed as if it were.

use crate::content::ContentStore;
use crate::integrity::Expected;
use crate::store::documents;
use service_kit::Database;

/// How many ids one query reads.
const BATCH: i64 = 500;

/// Seals again every stored document's content that needs it; how many
/// were rewritten.
pub async fn rekey(db: &Database, content: &ContentStore) -> anyhow::Result<usize> {
    let mut rewritten = 0;
    let mut after = String::new();
    loop {
        let from = after.clone();
        let stored = db
            .run(move |conn| documents::stored(conn, &from, BATCH).map_err(anyhow::Error::from))
            .await?;
        let Some((last, _, _)) = stored.last() else {
            return Ok(rewritten);
        };
        after = last.clone();
        for (id, size, sha256) in stored {
            let expected = Expected {
                size: u64::try_from(size)?,
                sha256,
            };
            let resealed = content
                .reseal(&id, &expected)
                .await
                .map_err(|e| anyhow::anyhow!("document {id}: {e}"))?;
            if !resealed {
                continue;
            }
            rewritten += 1;
            // Deleted meanwhile: the rewrite must not bring its content back.
            let row = id.clone();
            let exists = db
                .run(move |conn| documents::exists(conn, &row).map_err(anyhow::Error::from))
                .await?;
            if !exists {
                content.delete(&id).await?;
            }
        }
    }
}
