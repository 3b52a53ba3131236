//! The revision of a caller's application, the one cheap read a cached
//! listing needs, for many callers at once.

use super::applications::latest_first;
use crate::schema::applications;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use service_kit::db::DbConnection;
use service_kit::on_backend;

/// Whose application: the caller (the owner's subject) and, when named,
/// the application's id, else the caller's most recent one.
pub type Owner = (String, Option<String>);

/// The id and revision of each owner's application, in order (`None` for
/// an owner without one). On PostgreSQL one statement reads every owner
/// asking for their most recent application, and one every owner naming
/// one; on SQLite, where a read costs microseconds in this process, each
/// is read on its own.
pub fn of_owners(
    conn: &mut DbConnection,
    owners: &[Owner],
) -> QueryResult<Vec<Option<(String, i64)>>> {
    match conn {
        DbConnection::Postgres(pg) => of_owners_at_once(pg, owners),
        DbConnection::Sqlite(_) => owners
            .iter()
            .map(|(owner, id)| of_owner(conn, owner, id.as_deref()))
            .collect(),
    }
}

/// The id and revision of the caller's application (`id` if given and the
/// caller's, else the caller's most recent one). It runs on the backend's
/// own connection so that its statement is prepared once.
fn of_owner(
    conn: &mut DbConnection,
    owner: &str,
    id: Option<&str>,
) -> QueryResult<Option<(String, i64)>> {
    let mine = applications::table
        .filter(applications::owner_subject.eq(owner))
        .select((applications::id, applications::revision));
    on_backend!(conn, |c| match id {
        Some(id) => mine.filter(applications::id.eq(id)).first(c).optional(),
        None => mine.order(latest_first()).first(c).optional(),
    })
}

/// The statement of [`of_owners_at_once`], a type of its own so that a
/// connection prepares it once (diesel's `sql_query` is planned afresh on
/// every call).
mod statement {
    use diesel::pg::Pg;
    use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
    use diesel::sql_types::{Array, BigInt, Text};
    use diesel::QueryResult;

    /// The applications of `owners`: with `NAMED`, the application
    /// `ids[n]` of each owner `owners[n]`, by its primary key; else each
    /// owner's most recent one, by the index `applications_by_owner`. Each
    /// row found is the place `n` (from 1) of its owner, the application's
    /// id and its revision.
    pub struct Revisions<'a, const NAMED: bool> {
        pub owners: Vec<&'a str>,
        pub ids: Vec<&'a str>,
    }

    impl<const NAMED: bool> Query for Revisions<'_, NAMED> {
        type SqlType = (BigInt, Text, BigInt);
    }

    // The same statement whatever the lists: prepared once per connection.
    impl<const NAMED: bool> QueryId for Revisions<'_, NAMED> {
        type QueryId = Revisions<'static, NAMED>;
        const HAS_STATIC_QUERY_ID: bool = true;
    }

    impl<const NAMED: bool> QueryFragment<Pg> for Revisions<'_, NAMED> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_sql("SELECT k.n, a.id, a.revision FROM unnest(");
            out.push_bind_param::<Array<Text>, _>(&self.owners)?;
            if NAMED {
                out.push_sql(", ");
                out.push_bind_param::<Array<Text>, _>(&self.ids)?;
                out.push_sql(
                    ") WITH ORDINALITY AS k(owner, id, n) \
                     JOIN applications a ON a.id = k.id AND a.owner_subject = k.owner",
                );
            } else {
                out.push_sql(
                    ") WITH ORDINALITY AS k(owner, n) CROSS JOIN LATERAL \
                     (SELECT id, revision FROM applications WHERE owner_subject = k.owner \
                     ORDER BY created_at DESC, id DESC LIMIT 1) a",
                );
            }
            Ok(())
        }
    }

    impl<C, const NAMED: bool> diesel::RunQueryDsl<C> for Revisions<'_, NAMED> {}
}

/// [`of_owners`] on PostgreSQL: a statement for the owners naming their
/// application, one for the others.
fn of_owners_at_once(
    pg: &mut PgConnection,
    owners: &[Owner],
) -> QueryResult<Vec<Option<(String, i64)>>> {
    let mut found = vec![None; owners.len()];
    let (named, latest): (Vec<usize>, Vec<usize>) =
        (0..owners.len()).partition(|&i| owners[i].1.is_some());
    read::<true>(pg, owners, &named, &mut found)?;
    read::<false>(pg, owners, &latest, &mut found)?;
    Ok(found)
}

/// Reads the applications of the owners at `of` (see
/// [`statement::Revisions`]) into their places of `found`.
fn read<const NAMED: bool>(
    pg: &mut PgConnection,
    owners: &[Owner],
    of: &[usize],
    found: &mut [Option<(String, i64)>],
) -> QueryResult<()> {
    if of.is_empty() {
        return Ok(());
    }
    let rows: Vec<(i64, String, i64)> = statement::Revisions::<NAMED> {
        owners: of.iter().map(|&i| owners[i].0.as_str()).collect(),
        ids: of.iter().filter_map(|&i| owners[i].1.as_deref()).collect(),
    }
    .load(pg)?;
    for (n, id, revision) in rows {
        let owner = usize::try_from(n - 1).ok().and_then(|n| of.get(n));
        if let Some(&i) = owner {
            found[i] = Some((id, revision));
        }
    }
    Ok(())
}
