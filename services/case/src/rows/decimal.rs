//! How a [`Number`] is stored: as `NUMERIC` on PostgreSQL (the decimal
//! itself, its scale kept: `10.50` stays `10.50`) and as its text on SQLite,
//! whose numeric column types hold doubles. Neither way goes through binary
//! floating point.
//!
//! A new amount column: `NUMERIC` in the PostgreSQL migration, `TEXT` in
//! the SQLite one, `Nullable<crate::schema::sql_types::ExactNumber>` in
//! `schema.rs`, and an `Option<StoredNumber>` field in its row, filled with
//! [`put_number`] and read with [`get_number`].

use crate::schema::sql_types::ExactNumber;
use crate::wire::values::Number;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{HasSqlType, Numeric, Text};
use diesel::sqlite::{Sqlite, SqliteValue};
use rust_decimal::Decimal;
use service_kit::db::MultiBackend;

/// A [`Number`] column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = ExactNumber)]
pub struct StoredNumber(pub Number);

/// The stored form of an optional number.
pub fn put_number(n: Option<Number>) -> Option<StoredNumber> {
    n.map(StoredNumber)
}

/// An optional number as stored.
pub fn get_number(n: Option<StoredNumber>) -> Option<Number> {
    n.map(|StoredNumber(n)| n)
}

// `DbConnection` serves both backends: it looks each of the three up in
// the backend in use.
impl HasSqlType<ExactNumber> for MultiBackend {
    fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
        MultiBackend::lookup_sql_type::<ExactNumber>(lookup)
    }
}

impl ToSql<ExactNumber, MultiBackend> for StoredNumber {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((ExactNumber, self));
        Ok(serialize::IsNull::No)
    }
}

impl FromSql<ExactNumber, MultiBackend> for StoredNumber {
    fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        bytes.from_sql::<Self, ExactNumber>()
    }
}

impl ToSql<ExactNumber, Pg> for StoredNumber {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <Decimal as ToSql<Numeric, Pg>>::to_sql(self.0.as_decimal(), out)
    }
}

impl FromSql<ExactNumber, Pg> for StoredNumber {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <Decimal as FromSql<Numeric, Pg>>::from_sql(bytes).map(|d| Self(Number::new(d)))
    }
}

impl ToSql<ExactNumber, Sqlite> for StoredNumber {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.to_string());
        Ok(serialize::IsNull::No)
    }
}

impl FromSql<ExactNumber, Sqlite> for StoredNumber {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
        // A value written before the column held text may be in exponent
        // form (SQLite writes a double of 1e-7 as `1.0e-07`).
        Number::read(&text)
            .map(|d| Self(Number::new(d)))
            .map_err(|e| format!("stored number {text:?}: {e}").into())
    }
}
