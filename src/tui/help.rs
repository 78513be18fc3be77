//! Help and footers made from the keymap: what each key does in the contexts a panel is in,
//! worded from the catalog. Nothing here is written by hand per panel, so help never drifts
//! from the bindings (a user's keymap.toml changes it too).

use crate::config::keymap::{Action, Context, Keymap};
use crate::i18n::{has, t};
use crate::text::width;

/// An action's one-line description in a context: the context's own wording where it gives the
/// action another meaning (`tui.action_in.members.open`), else the action's.
pub fn describe(a: Action, ctx: Context) -> String {
    let (own, general) = a.desc_key(ctx);
    if has(&own) {
        t(&own)
    } else {
        t(&general)
    }
}

/// One section of help: a context's title and its (keys, description) rows.
pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// Help for a panel in `ctxs`: a section per context, every action with its keys.
pub fn sections(map: &Keymap, ctxs: &[Context]) -> Vec<Section> {
    ctxs.iter()
        .map(|ctx| Section {
            title: t(&format!("tui.help.section.{}", ctx.name())),
            rows: ctx
                .actions()
                .iter()
                .map(|a| {
                    (
                        map.label(*ctx, *a).unwrap_or_else(|| t("tui.help.unbound")),
                        describe(*a, *ctx),
                    )
                })
                .collect(),
        })
        .collect()
}

/// The palette's typed commands (`:` then the command), from the same list the palette reads
/// them with, so help never drifts from them.
pub fn commands_section() -> Section {
    Section {
        title: t("views.tui.help_commands"),
        rows: crate::tui::popups::commands::COMMANDS
            .iter()
            .map(|(name, _)| (format!(":{name}"), t(&format!("views.tui.help_cmd.{name}"))))
            .collect(),
    }
}

/// An action's word for a footer: `tui.short.<name>` (`reply`, `done`), else the first clause
/// of its description.
pub fn short_label(a: Action, ctx: Context) -> String {
    let key = format!("tui.short.{}", a.name());
    if has(&key) {
        t(&key)
    } else {
        short(&describe(a, ctx))
    }
}

/// A footer for a panel: `key what · key what …` from its first context's footer list, as many
/// as fit in `w` cells, ending with where help is when some are left out.
pub fn footer(map: &Keymap, ctxs: &[Context], w: usize) -> String {
    let Some(ctx) = ctxs.first() else {
        return String::new();
    };
    let help = ctxs
        .iter()
        .find_map(|c| map.first_key(*c, Action::Help).map(|k| (k, *c)))
        .map(|(k, c)| format!("{k} {}", short_label(Action::Help, c)));
    // Help comes first where the context lists it first (the main screen), else last.
    let help_first = ctx.footer().first() == Some(&Action::Help);
    let items: Vec<String> = ctx
        .footer()
        .iter()
        .filter(|a| **a != Action::Help)
        .filter_map(|a| {
            map.first_key(*ctx, *a)
                .map(|k| format!("{k} {}", short_label(*a, *ctx)))
        })
        .collect();
    if help_first {
        let mut all: Vec<String> = help.into_iter().collect();
        all.extend(items);
        return fit_items(&all, w);
    }
    let sep = " · ";
    let mut out = String::new();
    let reserve = help.as_ref().map(|h| width(h) + width(sep)).unwrap_or(0);
    let mut all = true;
    for it in &items {
        let add = if out.is_empty() {
            width(it)
        } else {
            width(sep) + width(it)
        };
        if width(&out) + add + reserve > w {
            all = false;
            break;
        }
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(it);
    }
    if let Some(h) = help {
        if !all || width(&out) + width(sep) + width(&h) <= w {
            if !out.is_empty() {
                out.push_str(sep);
            }
            out.push_str(&h);
        }
    }
    out
}

/// As many items as fit in `w`, joined.
fn fit_items(items: &[String], w: usize) -> String {
    let sep = " · ";
    let mut out = String::new();
    for it in items {
        let add = if out.is_empty() { 0 } else { width(sep) } + width(it);
        if width(&out) + add > w {
            break;
        }
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(it);
    }
    out
}

/// The first clause of a description, for a footer (`Reply to the item` stays whole; a
/// description with a comma keeps what is before it).
fn short(desc: &str) -> String {
    desc.split([',', ';', '(', '，', '（'])
        .next()
        .unwrap_or(desc)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_context_has_help_and_a_footer_that_fits() {
        let map = Keymap::defaults();
        for ctx in Context::ALL {
            let s = sections(&map, &[ctx]);
            assert_eq!(s[0].rows.len(), ctx.actions().len());
            assert!(
                s[0].rows.iter().all(|(k, _)| *k != t("tui.help.unbound")),
                "{}",
                ctx.name()
            );
            for w in [40, 80, 160] {
                let f = footer(&map, &[ctx], w);
                assert!(width(&f) <= w, "{} at {w}: {f}", ctx.name());
            }
        }
        // Narrow: what does not fit gives way to help.
        let f = footer(&map, &[Context::Members], 60);
        assert!(
            f.ends_with(&short_label(Action::Help, Context::Members)),
            "{f}"
        );
        assert_eq!(
            footer(&map, &[Context::Normal], 200),
            "? help · : commands · / search · f filter · r reply · d done · u undo · q quit"
        );
    }
}
