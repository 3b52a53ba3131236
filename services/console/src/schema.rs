//! The console database's tables, as diesel sees them.

diesel::table! {
    console_sessions (id_hash) {
        id_hash -> Text,
        subject -> Text,
        display_name -> Text,
        roles -> Text,
        csrf_token -> Text,
        created_at -> Text,
        last_seen_at -> Text,
        idle_expires_at -> Text,
        absolute_expires_at -> Text,
    }
}

diesel::table! {
    console_logins (state_hash) {
        state_hash -> Text,
        nonce -> Text,
        challenge -> Text,
        return_to -> Text,
        created_at -> Text,
    }
}
