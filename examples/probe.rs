#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use kith::domain::*;
use kith::store::Store;
fn main() {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(d.path()).unwrap();
    let words = ["доставка","lamp","flicker","спасибо","курьер","app","crash","refund","отличный","свет","яркость","warranty","order","заказ","color","temperature"];
    let n = 100_000u32;
    let t = std::time::Instant::now();
    let mut batch = Vec::new();
    for i in 0..n {
        let text: Vec<&str> = (0..20).map(|k| words[((i as usize * 7 + k * 13) ^ (i as usize >> 3)) % words.len()]).collect();
        let mut it = NewItem::comment(Platform::ALL[(i % 8) as usize], &format!("acc{}", i % 20), &format!("n{i}"), &format!("u{}", i % 10000), &text.join(" "), Timestamp(1_700_000_000_000 + i as i64 * 1000));
        it.author.name = Some(format!("User {}", i % 10000));
        batch.push(it);
        if batch.len() == 5000 { s.ingest(&batch, false, "t", Timestamp::now()).unwrap(); batch.clear(); }
    }
    let el = t.elapsed();
    println!("ingest {} items in {:?} = {:.0}/s", n, el, n as f64 / el.as_secs_f64());
    let t = std::time::Instant::now();
    let p = s.list(&kith::engine::api::ListQuery { limit: 50, filter: kith::engine::api::Filter { text: Some("flicker".into()), ..Default::default() }, ..Default::default() }).unwrap();
    println!("search {} in {:?}", p.items.len(), t.elapsed());
    println!("du: {:?}", std::process::Command::new("du").arg("-sh").arg(d.path()).output().unwrap().stdout);
}
