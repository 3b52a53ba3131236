//! The party database's tables, as diesel sees them.
#![allow(missing_docs)]

diesel::table! {
    parties (id) {
        id -> Text,
        kind -> Text,
        first_name -> Nullable<Text>,
        middle_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        last_name_key -> Nullable<Text>,
        organisation_name -> Nullable<Text>,
        date_of_birth -> Nullable<Text>,
        nationality -> Nullable<Text>,
        employment_status -> Nullable<Text>,
        employer -> Nullable<Text>,
        occupation -> Nullable<Text>,
        version -> BigInt,
        created_at -> Text,
        updated_at -> Text,
        sealed -> Bool,
        date_of_birth_key -> Nullable<Text>,
    }
}

diesel::table! {
    party_contact_points (party_id, position) {
        party_id -> Text,
        position -> Integer,
        channel -> Text,
        value -> Text,
        value_key -> Text,
        usage -> Nullable<Text>,
    }
}

diesel::table! {
    party_identifiers (party_id, position) {
        party_id -> Text,
        position -> Integer,
        id_type -> Text,
        format_code -> Nullable<Text>,
        value -> Text,
        issuing_country -> Nullable<Text>,
        value_key -> Nullable<Text>,
    }
}

diesel::table! {
    party_addresses (party_id, position) {
        party_id -> Text,
        position -> Integer,
        lines -> Text,
        city -> Nullable<Text>,
        state -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        country_code -> Text,
        usage -> Nullable<Text>,
    }
}

diesel::table! {
    party_ids (id) {
        id -> Text,
        deleted_at -> Nullable<Text>,
    }
}

diesel::joinable!(party_contact_points -> parties (party_id));
diesel::joinable!(party_identifiers -> parties (party_id));
diesel::joinable!(party_addresses -> parties (party_id));
diesel::allow_tables_to_appear_in_same_query!(
    parties,
    party_contact_points,
    party_identifiers,
    party_addresses
);
