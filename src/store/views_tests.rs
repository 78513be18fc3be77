//! Saved views on a real sled store: save (insert or replace by name in any case), order,
//! moves, deletes, audit entries, and the views surviving a reopen.

use super::tests::store;
use super::*;
use crate::domain::saved_view::Move;
use crate::domain::Timestamp;

fn names(s: &Store) -> Vec<String> {
    s.saved_views()
        .expect("views")
        .into_iter()
        .map(|v| v.name)
        .collect()
}

#[test]
fn save_replace_move_delete_in_order_with_audit() {
    let (d, s) = store();
    let t = Timestamp(1_760_000_000_000);
    assert_eq!(
        s.save_view("Delivery", "доставка ~s new", "anna", t)
            .expect("save"),
        ViewChange::Saved { replaced: false }
    );
    s.save_view("Spam wave", "~s spam", "bob", t).expect("save");
    s.save_view("reviews", "~k review ~r <=2", "anna", t)
        .expect("save");
    assert_eq!(names(&s), ["Delivery", "Spam wave", "reviews"]);

    // The same name in another case replaces the view and keeps its place.
    assert_eq!(
        s.save_view(" DELIVERY ", "~t delivery", "bob", t)
            .expect("save"),
        ViewChange::Saved { replaced: true }
    );
    let v = s.saved_view("delivery").expect("get").expect("there");
    assert_eq!(
        (
            v.name.as_str(),
            v.pattern.as_str(),
            v.saved_by.as_str(),
            v.position
        ),
        ("DELIVERY", "~t delivery", "bob", 0)
    );
    assert_eq!(names(&s), ["DELIVERY", "Spam wave", "reviews"]);

    assert_eq!(
        s.move_view("REVIEWS", Move::Up, "anna", t).expect("move"),
        ViewChange::Moved
    );
    assert_eq!(names(&s), ["DELIVERY", "reviews", "Spam wave"]);
    assert_eq!(
        s.move_view("delivery", Move::Up, "anna", t).expect("move"),
        ViewChange::AtEdge
    );
    assert_eq!(
        s.move_view("spam wave", Move::Down, "anna", t)
            .expect("move"),
        ViewChange::AtEdge
    );
    assert_eq!(
        s.move_view("nope", Move::Down, "anna", t).expect("move"),
        ViewChange::NotFound
    );

    assert_eq!(
        s.delete_view("Reviews", "bob", t).expect("delete"),
        ViewChange::Deleted
    );
    assert_eq!(
        s.delete_view("reviews", "bob", t).expect("delete"),
        ViewChange::NotFound
    );
    assert_eq!(names(&s), ["DELIVERY", "Spam wave"]);
    // A gap left by the delete: moves still work and the order stays.
    s.save_view("new", "~s new", "anna", t).expect("save");
    s.move_view("new", Move::Up, "anna", t).expect("move");
    assert_eq!(names(&s), ["DELIVERY", "new", "Spam wave"]);

    let log = s
        .audit_query(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .expect("audit");
    let views: Vec<(String, String, Option<String>, Option<String>)> = log
        .into_iter()
        .filter(|e| e.action.starts_with("view-"))
        .map(|e| (e.action, e.operator, e.before, e.after))
        .collect();
    assert_eq!(views.len(), 8, "{views:?}");
    assert_eq!(
        views[3],
        (
            "view-save".to_string(),
            "bob".to_string(),
            Some("Delivery=доставка ~s new".to_string()),
            Some("DELIVERY=~t delivery".to_string())
        )
    );
    assert_eq!(
        views[5],
        (
            "view-delete".to_string(),
            "bob".to_string(),
            Some("reviews=~k review ~r <=2".to_string()),
            None
        )
    );
    assert_eq!(s.verify_audit().expect("verify").problem, None);

    // Durable: another open of the store sees the same views in the same order.
    drop(s);
    let s = Store::open(d.path()).expect("reopen");
    assert_eq!(names(&s), ["DELIVERY", "new", "Spam wave"]);
}
