//! Every size bound a model lists is enforced, at the bound plus one, whatever path the size came
//! by (configure is the path of catalogue entries, `--set`, and, through decode, replay files).

use gcmc::registry;
use serde_json::{json, Map, Value};

fn refused(model: &str, variant: &str, overrides: Value) -> String {
    let overrides: Map<String, Value> = overrides.as_object().unwrap().clone();
    match registry::model(model).unwrap().configure(variant, &overrides) {
        Ok(_) => panic!("{model} {overrides:?} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_listed_limit_refuses_one_more_in_one_line() {
    let long = |op: Value, n: usize| Value::Array(vec![op; n]);
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        ("lfstack", "go", json!({"threads": 65}), "threads = 65"),
        ("lfstack", "go", json!({"iterations": 1001}), "iterations = 1001"),
        ("lfstack", "go", json!({"nodes": 4097}), "nodes = 4097"),
        ("lfstack", "go", json!({"threads": 1, "programs": [long(json!({"pop": 0}), 1001)]}), "program length = 1001"),
        ("lfstack", "go", json!({"threads": 20, "iterations": 600}), "threads x ops = 12000"),
        ("gcbits", "v1", json!({"threads": 65}), "threads = 65"),
        ("gcbits", "v1", json!({"allocs": 1001, "rotations": []}), "allocs = 1001"),
        ("gcbits", "v1", json!({"nelems": long(json!(64), 4097)}), "nelems entries = 4097"),
        ("gcbits", "v1", json!({"rotations": long(json!(1), 4097)}), "rotations entries = 4097"),
        ("gcbits", "v1", json!({"threads": 1, "programs": [long(json!({"alloc": 64}), 1001)]}), "program length = 1001"),
        ("gcbits", "v1", json!({"threads": 20, "allocs": 600}), "threads x ops = 12000"),
        ("workbufs", "go", json!({"workers": 65}), "workers = 65"),
        ("workbufs", "go", json!({"ops": 1001}), "ops = 1001"),
        ("workbufs", "go", json!({"cycles": 65}), "cycles = 65"),
        ("workbufs", "go", json!({"workers": 60, "cycles": 5}), "spawned threads = 305"),
        ("workbufs", "go", json!({"heap_spans": 2000}), "heap spans x workbufs per span = 8000"),
        ("workbufs", "go", json!({"workbuf_objs": 4097}), "workbuf_objs = 4097"),
        ("workbufs", "go", json!({"workers": 1, "programs": [long(json!("put"), 1001)]}), "program length = 1001"),
        ("workbufs", "go", json!({"workers": 20, "ops": 600}), "threads x ops = 12000"),
        ("spanset", "go", json!({"threads": 65}), "threads = 65"),
        ("spanset", "go", json!({"ops": 1001}), "ops = 1001"),
        ("spanset", "go", json!({"rounds": 17}), "rounds = 17"),
        ("spanset", "go", json!({"threads": 50, "ops": 99, "rounds": 2}), "blocks = 4951"),
        ("spanset", "go", json!({"threads": 1, "programs": [long(json!({"push": 0}), 1001)]}), "program length = 1001"),
        ("spanset", "go", json!({"threads": 20, "ops": 600}), "threads x ops = 12000"),
    ];
    let mut fields_hit: Vec<(String, String)> = Vec::new();
    for (model, variant, overrides, expected) in cases {
        let message = refused(model, variant, overrides.clone());
        assert!(message.contains(&format!("{model}: {expected} is over the limit of")), "{model} {overrides}: {message}");
        assert!(!message.contains('\n'), "{message}");
        fields_hit.push((model.into(), expected.split(" = ").next().unwrap().into()));
    }
    // Each listed limit has its case above, so none is listed but left unchecked.
    for model in registry::MODELS {
        for limit in model.limits() {
            assert!(
                fields_hit.contains(&(model.name().to_string(), limit.field.to_string())),
                "{}: limit `{}` has no case here",
                model.name(),
                limit.field
            );
        }
    }
}
