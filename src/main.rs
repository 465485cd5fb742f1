fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = clearance::syntax::parse(&text);
    let src = clearance::diagnostics::SourceFile::new(path, text);
    for d in &parsed.diagnostics {
        eprintln!("{}", clearance::diagnostics::render(d, &src, Default::default()));
    }
    if let Some(p) = parsed.policy {
        println!("{:#?}", p.items.len());
    }
}
