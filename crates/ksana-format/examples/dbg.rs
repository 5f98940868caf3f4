fn main() {
    let r = ksana_format::Recording::open(std::env::args().nth(1).unwrap()).unwrap();
    println!(
        "{:?} {:?} {:?}",
        r.index_source(),
        r.damage(),
        r.chunks().len()
    );
}
