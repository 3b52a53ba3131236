//! The document database's table, as diesel sees it.
#![allow(missing_docs)]

diesel::table! {
    documents (id) {
        id -> Text,
        owner_system -> Text,
        owner_subject -> Text,
        reference -> Text,
        file_name -> Text,
        file_info -> Text,
        file_client_id -> Nullable<Text>,
        declared_type -> Text,
        sniffed_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        state -> Text,
        created_at -> Text,
        sealed -> Bool,
    }
}
