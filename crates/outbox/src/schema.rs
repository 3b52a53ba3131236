//! The tables the crate reads and writes, in the fixed shape every sending
//! service's migrations give them.
#![allow(missing_docs)]

diesel::table! {
    outbox (seq) {
        seq -> BigInt,
        id -> Text,
        aggregate_id -> Text,
        kind -> Text,
        payload -> Text,
        request_id -> Nullable<Text>,
        created_at -> Text,
        delivered_at -> Nullable<Text>,
    }
}

diesel::table! {
    outbox_deliveries (event_seq, destination) {
        event_seq -> BigInt,
        event_id -> Text,
        destination -> Text,
        aggregate_id -> Text,
        kind -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Text,
        retry_from -> Text,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Text>,
        last_attempt_at -> Nullable<Text>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Text>,
        created_at -> Text,
    }
}

diesel::joinable!(outbox_deliveries -> outbox (event_seq));
diesel::allow_tables_to_appear_in_same_query!(outbox, outbox_deliveries);
