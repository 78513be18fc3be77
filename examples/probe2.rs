fn run(cache: u64, ht: bool, value: usize) {
    let d = tempfile::tempdir().unwrap();
    let mut c = sled::Config::new().path(d.path()).cache_capacity(cache).flush_every_ms(None);
    if ht { c = c.mode(sled::Mode::HighThroughput); }
    let db = c.open().unwrap();
    let n = 500_000u64;
    let v = vec![7u8; value];
    let t = std::time::Instant::now();
    let mut b = sled::Batch::default();
    for i in 0..n { let mut k = vec![b'w']; k.extend_from_slice(format!("tok{}", (i * 7919) % 5000).as_bytes()); k.push(0); k.extend_from_slice(&i.to_be_bytes()); b.insert(k, &v[..]); if i % 50_000 == 49_999 { db.apply_batch(std::mem::take(&mut b)).unwrap(); db.flush().unwrap(); } }
    println!("cache {}MB ht={ht} value={value}: {:.0} keys/s", cache>>20, n as f64 / t.elapsed().as_secs_f64());
}
fn main() {
    run(64<<20, false, 100);
    run(64<<20, false, 400);
    run(256<<20, false, 400);
}
