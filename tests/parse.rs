//! The bundled policies parse and check clean; their syntax trees are snapshotted in a
//! readable form; edge cases of the text never panic.

use clearance::ast::{Clause, Expr, ExprKind, Given, Item, Quantity, TemplatePart, TypeExprKind};
use clearance::diagnostics::Code;
use clearance::internals::syntax::parse;

/// An expression with every operator parenthesised: shows how precedence parsed.
fn tree(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", tree(lhs), op.node.as_str(), tree(rhs))
        }
        ExprKind::Unary { op, operand } => format!("({:?} {})", op.node, tree(operand)),
        ExprKind::Call { function, args } => {
            let args: Vec<String> = args.iter().map(tree).collect();
            format!("{}({})", function.node, args.join(", "))
        }
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(tree).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Name(n) => format!("name:{n}"),
        ExprKind::Has(f) => format!("has:{}", f.node),
        other => format!("{other:?}"),
    }
}

fn outline(source: &str) -> String {
    let policy = clearance::ast::Policy::parse(source).expect("parses");
    let mut out = format!(
        "policy {:?} default {:?}\n",
        policy.name.node,
        policy.default.map(|d| d.node)
    );
    for f in &policy.schema.fields {
        let ty = match &f.ty.kind {
            TypeExprKind::Named(n) => n.node.clone(),
            TypeExprKind::Enum(vs) => vs
                .iter()
                .map(|v| v.node.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            TypeExprKind::List(t) => format!("[{:?}]", t.kind),
        };
        out += &format!(
            "  field {}: {ty}{}\n",
            f.name.node,
            if f.ty.optional { "?" } else { "" }
        );
    }
    for item in &policy.items {
        match item {
            Item::Let(l) => out += &format!("let {} = {}\n", l.name.node, tree(&l.value)),
            Item::Param(p) => {
                let default = p.default.as_ref().map(tree).unwrap_or_default();
                out += &format!("param {} = {default}\n", p.name.node)
            }
            Item::Rule(r) => {
                out += &format!("rule {} @{}..{}\n", r.name.node, r.span.start, r.span.end);
                match &r.clause {
                    Clause::Require {
                        condition, scope, ..
                    } => {
                        out += &format!("  require {}\n", tree(condition));
                        if let Some(s) = scope {
                            out += &format!(
                                "  before {} {:?}\n",
                                s.action.node,
                                s.items.iter().map(|i| &i.node).collect::<Vec<_>>()
                            );
                        }
                    }
                    Clause::Verdict {
                        verdict,
                        scope,
                        condition,
                    } => {
                        out += &format!("  {:?}", verdict.node);
                        if let Some(s) = scope {
                            out += &format!(
                                " {} {:?}",
                                s.action.node,
                                s.items.iter().map(|i| &i.node).collect::<Vec<_>>()
                            );
                        }
                        if let Some(c) = condition {
                            out += &format!(" when {}", tree(c));
                        }
                        out += "\n";
                    }
                    Clause::Limit(l) => {
                        let q = match &l.quantity {
                            Quantity::Records(_) => "records".to_string(),
                            Quantity::Field(f) => f.node.clone(),
                        };
                        out += &format!(
                            "  limit {} {:?} to {} {q} per {:?} order by {:?} else {:?}\n",
                            l.scope.action.node,
                            l.scope.items.iter().map(|i| &i.node).collect::<Vec<_>>(),
                            tree(&l.cap),
                            l.per.as_ref().map(|p| &p.node),
                            l.order_by.as_ref().map(|p| &p.node),
                            l.otherwise.as_ref().map(|v| v.node)
                        );
                    }
                }
                if let Some(t) = &r.because {
                    let parts: Vec<String> = t
                        .parts
                        .iter()
                        .map(|p| match p {
                            TemplatePart::Text(s) => format!("{s:?}"),
                            TemplatePart::Expr(e) => format!("{{{}}}", tree(e)),
                            TemplatePart::Fact(f) => format!("{{limit.{}}}", f.node),
                        })
                        .collect();
                    out += &format!("  because {}\n", parts.join(" "));
                }
            }
            Item::Test(t) => {
                let n = match &t.given {
                    Given::Record(_) => 1,
                    Given::Batch { records, .. } => records.len(),
                };
                let outcomes: Vec<String> = t
                    .expect
                    .outcomes
                    .iter()
                    .map(|o| {
                        format!(
                            "{:?} by {:?}",
                            o.kind,
                            o.by.iter().map(|b| &b.node).collect::<Vec<_>>()
                        )
                    })
                    .collect();
                out += &format!(
                    "test {:?}: {n} record(s), expect {}\n",
                    t.name.node,
                    outcomes.join(", ")
                );
            }
        }
    }
    out
}

#[test]
fn bundled_policies_check_clean() {
    insta::glob!(env!("CARGO_MANIFEST_DIR"), "policies/*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        if let Err(d) = clearance::compile(&text) {
            panic!("{} has errors: {d:#?}", path.display());
        }
        insta::assert_snapshot!(outline(&text));
    });
}

const HEADER: &str = "policy \"p\"\nschema { units: int, note: text? }\n";

#[test]
fn empty_and_comment_only_files_are_reported() {
    for text in ["", "   \n\n", "# only a comment\n# and another\n"] {
        let parsed = parse(text);
        assert!(parsed.policy.is_none());
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, Code::EmptyFile);
    }
}

#[test]
fn crlf_line_endings_and_a_bom_parse_like_plain_text() {
    let plain = format!("{HEADER}rule r: deny when units > 5 # why\n  because \"too many\"\n");
    let crlf = plain.replace('\n', "\r\n");
    let bom = format!("\u{feff}{plain}");
    let a = clearance::compile(&plain).expect("plain");
    let b = clearance::compile(&crlf).expect("crlf");
    let c = clearance::compile(&bom).expect("bom");
    assert_eq!(a.rules.len(), 1);
    assert_eq!(b.rules[0].name, a.rules[0].name);
    assert_eq!(c.rules[0].condition_text, a.rules[0].condition_text);
}

#[test]
fn non_ascii_text_in_strings() {
    let text = format!("{HEADER}let firm = \"华为 Ünïcödé \\u{{1F600}}\"\nrule r: deny when units > 5 because \"超过 {{units}} 台\"\n");
    let p = clearance::compile(&text).expect("parses");
    assert_eq!(
        p.constants[0].value,
        clearance::value::Value::text("华为 Ünïcödé 😀")
    );
}

#[test]
fn ten_thousand_nested_parentheses_are_a_clear_error() {
    let text = format!(
        "{HEADER}let x = {}1{}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let parsed = parse(&text);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, Code::TooDeep);
}

#[test]
fn long_operator_chains_are_bounded() {
    let chain = vec!["1"; 5_000].join(" + ");
    let text = format!("{HEADER}let x = {chain}\n");
    let parsed = parse(&text);
    assert_eq!(parsed.diagnostics[0].code, Code::TooDeep);
    let nots = format!("{HEADER}rule r: deny when {} true\n", "not ".repeat(5_000));
    assert_eq!(parse(&nots).diagnostics[0].code, Code::TooDeep);
}

#[test]
fn a_five_megabyte_policy_parses() {
    let mut text = String::from(HEADER);
    let mut i = 0;
    while text.len() < 5 * 1024 * 1024 {
        text += &format!("rule r{i}:\n  deny when units > {i} and units < {} # a comment\n  because \"rule {i} fired\"\n", i + 100);
        i += 1;
    }
    let checked = clearance::compile(&text).expect("a large valid policy");
    assert_eq!(checked.rules.len(), i);
}

#[test]
fn several_syntax_errors_are_reported_in_one_run() {
    let text = format!(
        "{HEADER}rule a: deny when units >\nrule b: deny when units = 3\nlet c = 2026-02-30\n"
    );
    let codes: Vec<Code> = parse(&text).diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![Code::Unexpected, Code::SingleEquals, Code::InvalidDate]
    );
}

#[test]
fn file_size_and_item_count_are_limited() {
    let huge = format!("{HEADER}{}", "# padding\n".repeat(1_700_000));
    let parsed = parse(&huge);
    assert_eq!(parsed.diagnostics[0].code, Code::FileTooLarge);

    let mut many = String::from(HEADER);
    for i in 0..=clearance::internals::syntax::limits::MAX_ITEMS {
        many += &format!("let c{i} = {i}\n");
    }
    let parsed = parse(&many);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].code, Code::TooManyItems);
}
