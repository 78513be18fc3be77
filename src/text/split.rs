//! Placeholder until the thread splitter lands.
use crate::domain::platform::CountRule;
pub fn split_thread(text: &str, _rule: CountRule, _limit: usize, _numbering: bool) -> Vec<String> {
    vec![text.to_string()]
}
