//! Where user-action's internal API is, for the applications screen and
//! the evidence the console shows.

use envconfig::Envconfig;
use service_kit::{load_config, ConfigError};
use std::collections::HashMap;

/// The console's user-action variable, from the environment.
#[derive(Debug, Clone, Envconfig)]
pub struct UserActionConfig {
    /// user-action's internal API (this process when unset).
    #[envconfig(from = "USER_ACTION_SERVICE_URL")]
    pub user_action_service_url: Option<String>,
}

impl UserActionConfig {
    /// Loads the variable from `vars` (the environment when `None`).
    pub fn load(vars: Option<&HashMap<String, String>>) -> Result<Self, ConfigError> {
        load_config(vars)
    }
}
