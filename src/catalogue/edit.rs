//! Editing the catalogue's text in place (`gcmc pin` recording an execution count), line by line,
//! so that comments, order and layout stay as written.

/// `text` with case `id`'s `executions = N` line set to `executions`, or, if the case records
/// none, a new one after its `expect = ...` line. An error names what was not found.
pub fn set_executions(text: &str, id: &str, executions: u64) -> Result<String, String> {
    set_count(text, id, "executions", executions)
}

/// The same for the stateful engine's `states = N` line.
pub fn set_states(text: &str, id: &str, states: u64) -> Result<String, String> {
    set_count(text, id, "states", states)
}

fn set_count(text: &str, id: &str, field: &str, value: u64) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let starts: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].trim() == "[[case]]").collect();
    let id_line = format!("id = \"{id}\"");
    let (start, end) = starts
        .iter()
        .enumerate()
        .map(|(k, &s)| (s, starts.get(k + 1).copied().unwrap_or(lines.len())))
        .find(|&(s, e)| lines[s..e].iter().any(|l| l.trim() == id_line))
        .ok_or_else(|| format!("no case {id} in the catalogue's text"))?;
    let key = |l: &str, k: &str| l.trim_start().strip_prefix(k).is_some_and(|rest| rest.trim_start().starts_with('='));
    let new_line = format!("{field} = {value}\n");
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    if let Some(i) = (start..end).find(|&i| key(lines[i], field)) {
        out[i] = new_line;
    } else {
        let at = (start..end).find(|&i| key(lines[i], "expect")).ok_or_else(|| format!("case {id} has no `expect` line"))?;
        if !out[at].ends_with('\n') {
            out[at].push('\n');
        }
        out.insert(at + 1, new_line);
    }
    Ok(out.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# [[case]] in a comment\n[[case]]\nid = \"a\"\nexpect = \"holds\"\nexecutions = 5\nwhy = \"x\"\n\n[[case]]\nid = \"b\"\nexpect = \"holds\"\n";

    #[test]
    fn replaces_or_inserts_the_count_of_one_case_only() {
        let a = set_executions(TEXT, "a", 7).unwrap();
        assert_eq!(a, TEXT.replace("executions = 5", "executions = 7"));
        let b = set_executions(TEXT, "b", 9).unwrap();
        assert_eq!(b, format!("{TEXT}executions = 9\n"));
        assert!(set_executions(TEXT, "c", 1).unwrap_err().contains("no case c"));
        // No trailing newline after the last line.
        assert_eq!(
            set_executions("[[case]]\nid = \"z\"\nexpect = \"holds\"", "z", 2).unwrap(),
            "[[case]]\nid = \"z\"\nexpect = \"holds\"\nexecutions = 2\n"
        );
    }
}
