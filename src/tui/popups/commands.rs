//! Commands typed in the palette with their arguments (`tag-rename OLD NEW`), beside the
//! actions the palette finds by name. A command is recognised by its first word exactly;
//! arguments are split on blanks, and `"two words"` keeps a blank inside one.

/// A typed command with its arguments, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Rename (or merge) a tag on every item.
    TagRename { old: String, new: String },
    /// Save the list's pattern as a view for the team.
    Save { name: String },
    /// Delete a saved view (empty: the one shown).
    Unsave { name: String },
    /// Move a saved view one place up or down (empty: the one shown).
    ViewMove {
        name: String,
        dir: crate::domain::saved_view::Move,
    },
}

/// Every typed command: its name and the catalog key of its usage line.
pub const COMMANDS: [(&str, &str); 5] = [
    ("tag-rename", "tags.tui.cmd_usage"),
    ("save", "views.tui.usage_save"),
    ("unsave", "views.tui.usage_unsave"),
    ("view-up", "views.tui.usage_move"),
    ("view-down", "views.tui.usage_move"),
];

/// What the palette's text is, as a typed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// A command with all its arguments.
    Ready(Command),
    /// A command's name without the arguments it needs: its usage (catalog key).
    Usage(&'static str),
    /// The start of a command's name (three letters or more): its usage, as a hint.
    Hint(&'static str),
}

/// Words of a command line: blanks split, double quotes group.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The command the palette's text names, if any.
pub fn parse(text: &str) -> Option<Typed> {
    let w = words(text);
    let first = w.first()?.to_lowercase();
    if let Some((name, usage)) = COMMANDS.iter().find(|(n, _)| *n == first) {
        use crate::domain::saved_view::Move;
        // A view's name is the rest of the line: `save delivery questions` needs no quotes.
        let rest = w[1..].join(" ");
        return Some(match (*name, &w[1..]) {
            ("save", _) if !rest.trim().is_empty() => Typed::Ready(Command::Save { name: rest }),
            ("unsave", _) => Typed::Ready(Command::Unsave { name: rest }),
            ("view-up", _) => Typed::Ready(Command::ViewMove {
                name: rest,
                dir: Move::Up,
            }),
            ("view-down", _) => Typed::Ready(Command::ViewMove {
                name: rest,
                dir: Move::Down,
            }),
            ("tag-rename", [old, new]) if !old.trim().is_empty() && !new.trim().is_empty() => {
                Typed::Ready(Command::TagRename {
                    old: old.clone(),
                    new: new.clone(),
                })
            }
            _ => Typed::Usage(usage),
        });
    }
    if w.len() == 1 && first.chars().count() >= 3 && !text.ends_with(char::is_whitespace) {
        return COMMANDS
            .iter()
            .find(|(n, _)| n.starts_with(&first))
            .map(|(_, usage)| Typed::Hint(usage));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_rename_takes_two_names_quoted_or_not() {
        assert_eq!(
            parse("tag-rename Доставка delivery"),
            Some(Typed::Ready(Command::TagRename {
                old: "Доставка".into(),
                new: "delivery".into()
            }))
        );
        assert_eq!(
            parse("  TAG-RENAME \"late delivery\"  late "),
            Some(Typed::Ready(Command::TagRename {
                old: "late delivery".into(),
                new: "late".into()
            }))
        );
        assert_eq!(
            parse("tag-rename vip"),
            Some(Typed::Usage("tags.tui.cmd_usage"))
        );
        assert_eq!(
            parse("tag-rename a b c"),
            Some(Typed::Usage("tags.tui.cmd_usage"))
        );
        assert_eq!(parse("tag-r"), Some(Typed::Hint("tags.tui.cmd_usage")));
        assert_eq!(parse("re"), None);
        assert_eq!(parse("reply"), None);
    }

    #[test]
    fn view_commands_take_the_rest_of_the_line_as_the_name() {
        use crate::domain::saved_view::Move;
        assert_eq!(
            parse("save delivery  questions"),
            Some(Typed::Ready(Command::Save {
                name: "delivery questions".into()
            }))
        );
        assert_eq!(parse("save "), Some(Typed::Usage("views.tui.usage_save")));
        assert_eq!(
            parse("unsave"),
            Some(Typed::Ready(Command::Unsave { name: "".into() }))
        );
        assert_eq!(
            parse("view-down \"spam wave\""),
            Some(Typed::Ready(Command::ViewMove {
                name: "spam wave".into(),
                dir: Move::Down
            }))
        );
    }
}
