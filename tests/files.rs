//! The output-folder engine on real temp folders: compare, diff, write, refusals and rollback.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use traffic_engineer::files::{
    changed, changes, compare, format_changes, with_kustomizations, write, Action, FileChange,
    FilesError, Options, OutFile, Status, Summary,
};
use traffic_engineer::yaml;

const GATEWAY: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: shared
  namespace: gateway-system
spec:
  gatewayClassName: example
  listeners:
  - name: http
    protocol: HTTP
    port: 80
";

const ROUTE: &str = "\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: task-api
  namespace: tasks
spec:
  parentRefs:
  - name: shared
    namespace: gateway-system
  hostnames:
  - \"api.example.com\"
  rules:
  - backendRefs:
    - name: task-api
      port: 8000
";

fn out(path: &str, content: &str) -> OutFile {
    OutFile {
        path: path.into(),
        content: content.into(),
    }
}

/// A typical generated set: two persona folders.
fn manifests() -> Vec<OutFile> {
    vec![
        out("platform/gateway-shared.yaml", GATEWAY),
        out("tasks/httproute-task-api.yaml", ROUTE),
    ]
}

/// The same with each folder's kustomization.
fn generated() -> Vec<OutFile> {
    with_kustomizations(manifests(), &[])
}

fn statuses(changes: &[FileChange]) -> BTreeMap<String, Status> {
    changes
        .iter()
        .map(|c| (c.path.display().to_string(), c.status))
        .collect()
}

fn status_of(changes: &[FileChange], path: &str) -> Status {
    statuses(changes)[path]
}

#[derive(Debug, PartialEq)]
enum Entry {
    Folder(u32),
    File(Vec<u8>, u32),
    Link(PathBuf),
}

/// Everything below `root`: kinds, contents, permission bits and link targets.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut tree = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(folder) = todo.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode();
            let entry = if meta.file_type().is_symlink() {
                Entry::Link(fs::read_link(&path).unwrap())
            } else if meta.is_dir() {
                todo.push(path.clone());
                Entry::Folder(mode)
            } else {
                Entry::File(fs::read(&path).unwrap(), mode)
            };
            tree.insert(path.strip_prefix(root).unwrap().to_path_buf(), entry);
        }
    }
    tree
}

/// Compares and writes, overwriting: the state a second run starts from.
fn write_all(dir: &Path, files: &[OutFile]) {
    let changes = compare(dir, files).unwrap();
    write(dir, &changes, true).unwrap();
}

#[test]
fn first_write_creates_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let files = generated();

    let changes = compare(&dir, &files).unwrap();
    assert!(changes.iter().all(|c| c.status == Status::New));
    assert!(changed(&changes));
    assert!(!dir.exists(), "compare writes nothing");

    let report = write(&dir, &changes, false).expect("new files need no consent");
    assert!(report.created_dir);
    assert_eq!(
        report.written.len(),
        5,
        "two manifests, two folder kustomizations, the top one"
    );
    for file in &files {
        assert_eq!(
            fs::read_to_string(dir.join(&file.path)).unwrap(),
            file.content
        );
    }
    let names: Vec<_> = fs::read_dir(dir.join("platform"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temp files left: {names:?}");
}

#[test]
fn second_run_is_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generated();
    write_all(tmp.path(), &files);
    let before = snapshot(tmp.path());

    let changes = compare(tmp.path(), &files).unwrap();
    assert!(changes.iter().all(|c| c.status == Status::Unchanged));
    assert!(changes.iter().all(|c| c.diff.is_empty()));
    assert!(!changed(&changes));
    let report = write(tmp.path(), &changes, false).unwrap();
    assert!(report.written.is_empty());
    assert!(!report.created_dir);
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn nothing_to_write_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let report = write(&dir, &[], false).unwrap();
    assert!(report.written.is_empty() && !report.created_dir);
    assert!(!dir.exists());
}

#[test]
fn hand_edit_is_a_change_and_compare_leaves_it() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generated();
    write_all(tmp.path(), &files);
    let edited = GATEWAY.replace("port: 80", "port: 8080");
    let path = tmp.path().join("platform/gateway-shared.yaml");
    fs::write(&path, &edited).unwrap();

    let changes = compare(tmp.path(), &files).unwrap();
    assert_eq!(
        status_of(&changes, "platform/gateway-shared.yaml"),
        Status::Changed
    );
    assert_eq!(
        status_of(&changes, "tasks/httproute-task-api.yaml"),
        Status::Unchanged
    );
    assert!(changed(&changes));
    assert_eq!(fs::read_to_string(&path).unwrap(), edited);

    let text = format_changes(&changes, false);
    assert!(
        text.contains("changed   platform/gateway-shared.yaml\n"),
        "{text}"
    );
    assert!(
        text.contains("--- a/platform/gateway-shared.yaml\n+++ b/platform/gateway-shared.yaml\n")
    );
    assert!(text.contains("-    port: 8080\n+    port: 80\n"), "{text}");
}

#[test]
fn formatting_only_changes_are_recognised() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generated();
    write_all(tmp.path(), &files);
    // Keys reordered, quoting and indentation changed, a comment added: same values.
    let reformatted = "\
# edited by hand
kind: Gateway
apiVersion: 'gateway.networking.k8s.io/v1'
metadata:
    namespace: gateway-system
    name: \"shared\"
spec:
    gatewayClassName: example
    listeners:
      - {name: http, port: 80, protocol: HTTP}
";
    fs::write(tmp.path().join("platform/gateway-shared.yaml"), reformatted).unwrap();

    let changes = compare(tmp.path(), &files).unwrap();
    assert_eq!(
        status_of(&changes, "platform/gateway-shared.yaml"),
        Status::FormattingOnly
    );
    assert!(!changed(&changes), "formatting is no change for --check");
    assert!(format_changes(&changes, false).contains("format    platform/gateway-shared.yaml\n"));

    // A real change of value in the same file is not formatting.
    let retyped = reformatted.replace("port: 80", "port: \"80\"");
    fs::write(tmp.path().join("platform/gateway-shared.yaml"), retyped).unwrap();
    let changes = compare(tmp.path(), &files).unwrap();
    assert_eq!(
        status_of(&changes, "platform/gateway-shared.yaml"),
        Status::Changed
    );
}

#[test]
fn overwrite_needs_consent_and_then_writes() {
    let tmp = tempfile::tempdir().unwrap();
    write_all(tmp.path(), &generated());
    fs::write(
        tmp.path().join("platform/gateway-shared.yaml"),
        "kind: Old\n",
    )
    .unwrap();
    let mut files = manifests();
    files.push(out("tasks/extra.yaml", "kind: New\n"));
    let files = with_kustomizations(files, &[]);
    let changes = compare(tmp.path(), &files).unwrap();
    let before = snapshot(tmp.path());

    let err = write(tmp.path(), &changes, false).unwrap_err();
    let FilesError::NeedsConsent { paths } = &err else {
        panic!("{err}")
    };
    // The tasks kustomization changes too, since it gains the new file.
    assert_eq!(
        paths,
        &[
            PathBuf::from("platform/gateway-shared.yaml"),
            PathBuf::from("tasks/kustomization.yaml")
        ]
    );
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(
        snapshot(tmp.path()),
        before,
        "not even the new file is written"
    );

    let report = write(tmp.path(), &changes, true).unwrap();
    assert_eq!(report.written.len(), 3);
    assert_eq!(
        fs::read_to_string(tmp.path().join("platform/gateway-shared.yaml")).unwrap(),
        GATEWAY
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("tasks/extra.yaml")).unwrap(),
        "kind: New\n"
    );
}

#[test]
fn overwriting_keeps_file_permissions() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("a.yaml");
    fs::write(&path, "a: 1\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let changes = compare(tmp.path(), &[out("a.yaml", "a: 2\n")]).unwrap();
    write(tmp.path(), &changes, true).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "a: 2\n");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn file_changed_between_compare_and_write_stops_the_write() {
    let tmp = tempfile::tempdir().unwrap();
    let files = generated();
    write_all(tmp.path(), &files);
    fs::write(
        tmp.path().join("platform/gateway-shared.yaml"),
        "kind: Old\n",
    )
    .unwrap();
    let changes = compare(tmp.path(), &files).unwrap();
    fs::write(
        tmp.path().join("platform/gateway-shared.yaml"),
        "kind: Newer\n",
    )
    .unwrap();
    let before = snapshot(tmp.path());

    let err = write(tmp.path(), &changes, true).unwrap_err();
    assert!(matches!(err, FilesError::ChangedMeanwhile { .. }), "{err}");
    assert_eq!(snapshot(tmp.path()), before);
}

#[test]
fn symlinked_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let outside = tmp.path().join("outside");
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir(&outside).unwrap();
    symlink(&outside, dir.join("platform")).unwrap();
    let files = generated();

    let err = compare(&dir, &files).unwrap_err();
    let FilesError::Symlink { path } = &err else {
        panic!("{err}")
    };
    assert_eq!(path, &dir.join("platform"));
    assert!(
        err.to_string().contains("out/platform is a symbolic link"),
        "{err}"
    );

    // `write` checks again, whatever changes it is given.
    let forged: Vec<FileChange> = compare(tmp.path().join("empty").as_path(), &files).unwrap();
    let err = write(&dir, &forged, true).unwrap_err();
    assert!(matches!(err, FilesError::Symlink { .. }), "{err}");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    assert!(
        !dir.join("tasks").exists(),
        "nothing written, all or nothing"
    );
}

#[test]
fn symlinked_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("real.yaml"), "a: 1\n").unwrap();
    symlink("real.yaml", tmp.path().join("a.yaml")).unwrap();
    let err = compare(tmp.path(), &[out("a.yaml", "a: 2\n")]).unwrap_err();
    assert!(matches!(err, FilesError::Symlink { .. }), "{err}");
}

#[test]
fn output_folder_itself_may_be_a_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("real")).unwrap();
    symlink("real", tmp.path().join("out")).unwrap();
    write_all(&tmp.path().join("out"), &generated());
    assert!(tmp
        .path()
        .join("real/platform/gateway-shared.yaml")
        .is_file());
}

#[test]
fn folder_where_a_file_goes_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("platform/gateway-shared.yaml")).unwrap();
    let err = compare(tmp.path(), &generated()).unwrap_err();
    assert!(matches!(err, FilesError::NotAFile { .. }), "{err}");
}

#[test]
fn paths_leaving_the_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    for bad in [
        "../escape.yaml",
        "platform/../../escape.yaml",
        "/tmp/escape.yaml",
    ] {
        let err = compare(&dir, &[out(bad, "a: 1\n")]).unwrap_err();
        assert!(matches!(err, FilesError::UnsafePath { .. }), "{bad}: {err}");
        assert!(err.to_string().contains(bad), "{err}");

        let forged = FileChange {
            path: bad.into(),
            status: Status::New,
            action: Action::Write,
            diff: String::new(),
            content: "a: 1\n".into(),
            old_content: None,
            note: None,
        };
        let err = write(&dir, &[forged], true).unwrap_err();
        assert!(matches!(err, FilesError::UnsafePath { .. }), "{bad}: {err}");
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// A change, a new file in a new folder, and a new file whose folder turns out to be a file when
/// writing: the failure comes after temp files and folders were created, and must undo them.
#[test]
fn failed_write_leaves_everything_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_all(dir, &[out("platform/a.yaml", "a: 1\n")]);
    fs::write(dir.join("unrelated.txt"), "mine").unwrap();
    let files = [
        out("apps/new.yaml", "n: 1\n"),
        out("platform/a.yaml", "a: 2\n"),
        out("zz/b.yaml", "b: 1\n"),
    ];
    let changes = compare(dir, &files).unwrap();
    fs::write(dir.join("zz"), "a file where a folder must go").unwrap();
    let before = snapshot(dir);

    let err = write(dir, &changes, true).unwrap_err();
    assert!(matches!(err, FilesError::NotAFolder { .. }), "{err}");
    assert!(err.to_string().contains("zz is not a folder"), "{err}");
    assert_eq!(snapshot(dir), before);
}

/// The same with a read-only folder, where permissions are enforced (not for root).
#[test]
fn unwritable_folder_leaves_everything_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_all(
        dir,
        &[out("platform/a.yaml", "a: 1\n"), out("zz/b.yaml", "b: 1\n")],
    );
    if fs::metadata(dir.join("zz/b.yaml")).unwrap().uid() == 0 {
        println!("skipped: running as root, where a read-only folder can still be written");
        return;
    }
    let files = [
        out("apps/new.yaml", "n: 1\n"),
        out("platform/a.yaml", "a: 2\n"),
        out("zz/b.yaml", "b: 2\n"),
    ];
    let changes = compare(dir, &files).unwrap();
    fs::set_permissions(dir.join("zz"), fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(dir);

    let err = write(dir, &changes, true).unwrap_err();
    let after = snapshot(dir);
    fs::set_permissions(dir.join("zz"), fs::Permissions::from_mode(0o755)).unwrap();
    assert!(matches!(err, FilesError::Io { .. }), "{err}");
    assert!(err.to_string().contains("zz/b.yaml"), "{err}");
    assert_eq!(after, before);
}

#[test]
fn broken_yaml_names_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("platform")).unwrap();
    let path = tmp.path().join("platform/gateway-shared.yaml");
    fs::write(&path, "kind: Gateway\nmetadata:\n  name: [unclosed\n").unwrap();

    let err = compare(tmp.path(), &generated()).unwrap_err();
    let FilesError::InvalidYaml { path: at, line, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(at, &path);
    assert!((3..=4).contains(line), "line {line}");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{}: line {line}: ", path.display())),
        "{message}"
    );
}

#[test]
fn user_entries_in_a_kustomization_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("platform")).unwrap();
    let kustomization = tmp.path().join("platform/kustomization.yaml");
    fs::write(&kustomization, "resources:\n- my-policy.yaml # keep\n").unwrap();

    let changes = compare(tmp.path(), &generated()).unwrap();
    let change = changes
        .iter()
        .find(|c| c.path == Path::new("platform/kustomization.yaml"))
        .unwrap();
    assert_eq!(change.status, Status::Changed);
    assert!(change.note.as_deref().unwrap().contains("my-policy.yaml"));
    assert!(
        change.diff.contains("+- gateway-shared.yaml"),
        "{}",
        change.diff
    );
    // Rewriting the file drops the user's comment; the diff shows that too.
    assert!(change
        .diff
        .contains("-- my-policy.yaml # keep\n+- my-policy.yaml\n"));
    assert!(format_changes(&changes, false).contains("my-policy.yaml"));

    write(tmp.path(), &changes, true).unwrap();
    let value: Value = yaml::from_str(&fs::read_to_string(&kustomization).unwrap()).unwrap();
    assert_eq!(
        value["resources"],
        serde_json::json!(["my-policy.yaml", "gateway-shared.yaml"])
    );
    // Nothing more to add: the user's file now stays exactly as it is.
    let again = compare(tmp.path(), &generated()).unwrap();
    assert_eq!(
        status_of(&again, "platform/kustomization.yaml"),
        Status::Unchanged
    );
}

#[test]
fn json_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let changes = compare(tmp.path(), &[out("a/b.yaml", "a: 1\n")]).unwrap();
    let json = serde_json::to_value(&changes).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{
            "path": "a/b.yaml",
            "status": "new",
            "action": "write",
            "diff": "--- /dev/null\n+++ b/a/b.yaml\n@@ -0,0 +1 @@\n+a: 1\n",
            "content": "a: 1\n",
        }])
    );
    let report = write(tmp.path(), &changes, false).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["written"], serde_json::json!(["a/b.yaml"]));
    assert_eq!(json["created_dir"], false);
}

const GRANT: &str = "\
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: allow-tasks
  namespace: databases
spec:
  from:
  - group: gateway.networking.k8s.io
    kind: HTTPRoute
    namespace: tasks
  to:
  - group: \"\"
    kind: Service
";

/// The generated set with a cross-namespace grant in its own folder.
fn with_grant() -> Vec<OutFile> {
    let mut files = manifests();
    files.push(out("databases/referencegrant-allow-tasks.yaml", GRANT));
    files
}

fn written_by_changes(dir: &Path, files: Vec<OutFile>) {
    let all = changes(dir, files, &Options::default()).unwrap();
    write(dir, &all, true).unwrap();
}

fn change_of<'a>(changes: &'a [FileChange], path: &str) -> &'a FileChange {
    changes
        .iter()
        .find(|c| c.path == Path::new(path))
        .unwrap_or_else(|| panic!("no {path} in {changes:#?}"))
}

/// A resource no longer generated leaves a stale file: reported, failing `--check`, kept and still
/// built until pruning is asked for, then deleted with its folder, atomically with the rest.
#[test]
fn stale_files_are_reported_and_pruned_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    written_by_changes(dir, with_grant());
    let grant = "databases/referencegrant-allow-tasks.yaml";
    assert!(dir.join(grant).exists());

    let kept = changes(dir, manifests(), &Options::default()).unwrap();
    let stale = change_of(&kept, grant);
    assert_eq!((stale.status, stale.action), (Status::Stale, Action::Keep));
    assert!(stale
        .diff
        .starts_with(&format!("--- a/{grant}\n+++ /dev/null\n")));
    assert!(changed(&kept), "--check fails on a stale file");
    assert_eq!(
        status_of(&kept, "databases/kustomization.yaml"),
        Status::Unchanged,
        "a kept stale file stays listed, so the folder builds as before"
    );
    assert!(format_changes(&kept, false).contains(&format!("stale     {grant}\n")));
    assert_eq!(serde_json::to_value(stale).unwrap()["status"], "stale");
    assert_eq!(
        Summary::of(&kept).to_string(),
        "0 new, 0 changed, 1 stale, 6 unchanged, 0 format"
    );
    let before = snapshot(dir);
    write(dir, &kept, false).unwrap();
    assert_eq!(snapshot(dir), before, "without pruning nothing changes");

    let prune = Options {
        prune: true,
        ..Options::default()
    };
    let pruned = changes(dir, manifests(), &prune).unwrap();
    assert_eq!(change_of(&pruned, grant).action, Action::Delete);
    assert_eq!(
        change_of(&pruned, "databases/kustomization.yaml").action,
        Action::Delete
    );
    let top = change_of(&pruned, "kustomization.yaml");
    assert_eq!(top.status, Status::Changed);
    assert!(top.diff.contains("-- databases\n"), "{}", top.diff);
    let err = write(dir, &pruned, false).unwrap_err();
    assert!(matches!(err, FilesError::NeedsConsent { .. }), "{err}");
    assert_eq!(snapshot(dir), before, "deleting needs consent");

    let report = write(dir, &pruned, true).unwrap();
    assert_eq!(report.deleted.len(), 2);
    assert!(
        !dir.join("databases").exists(),
        "the emptied folder goes too"
    );
    let again = changes(dir, manifests(), &Options::default()).unwrap();
    assert!(!changed(&again), "{again:#?}");
}

/// Files without the marker are the user's: never stale, never deleted, even when pruning; a
/// kustomization listing them stays, without the pruned files.
#[test]
fn files_the_tool_did_not_write_are_never_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    written_by_changes(dir, with_grant());
    fs::write(dir.join("databases/mine.yaml"), "kind: ConfigMap\n").unwrap();
    let kustomization = dir.join("databases/kustomization.yaml");
    let text = fs::read_to_string(&kustomization).unwrap();
    fs::write(&kustomization, format!("{text}- mine.yaml\n")).unwrap();
    fs::create_dir(dir.join("other")).unwrap();
    fs::write(dir.join("other/gateway-old.yaml"), GATEWAY).unwrap();

    let prune = Options {
        prune: true,
        ..Options::default()
    };
    let pruned = changes(dir, manifests(), &prune).unwrap();
    let stale: Vec<&Path> = pruned
        .iter()
        .filter(|c| c.status == Status::Stale)
        .map(|c| c.path.as_path())
        .collect();
    assert_eq!(
        stale,
        [Path::new("databases/referencegrant-allow-tasks.yaml")]
    );
    write(dir, &pruned, true).unwrap();
    assert_eq!(
        fs::read_to_string(dir.join("databases/mine.yaml")).unwrap(),
        "kind: ConfigMap\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("other/gateway-old.yaml")).unwrap(),
        GATEWAY
    );
    let value: Value = yaml::from_str(&fs::read_to_string(&kustomization).unwrap()).unwrap();
    assert_eq!(value["resources"], serde_json::json!(["mine.yaml"]));
    let top: Value =
        yaml::from_str(&fs::read_to_string(dir.join("kustomization.yaml")).unwrap()).unwrap();
    assert_eq!(
        top["resources"],
        serde_json::json!(["databases", "platform", "tasks"]),
        "the folder still holds the user's resource"
    );
}

/// A comment added by hand changes no value: the file is left as it is and counts as unchanged,
/// without consent, unless reformatting is asked for.
#[test]
fn hand_comments_are_kept_unless_reformatting() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    written_by_changes(dir, manifests());
    let path = dir.join("platform/gateway-shared.yaml");
    let commented = fs::read_to_string(&path)
        .unwrap()
        .replace("port: 80\n", "port: 80 # the public port\n");
    fs::write(&path, &commented).unwrap();

    let kept = changes(dir, manifests(), &Options::default()).unwrap();
    let change = change_of(&kept, "platform/gateway-shared.yaml");
    assert_eq!(
        (change.status, change.action),
        (Status::FormattingOnly, Action::Keep)
    );
    assert!(!changed(&kept));
    write(dir, &kept, false).expect("nothing needs consent");
    assert_eq!(fs::read_to_string(&path).unwrap(), commented);

    let reformat = Options {
        reformat: true,
        ..Options::default()
    };
    let rewritten = changes(dir, manifests(), &reformat).unwrap();
    assert!(changed(&rewritten), "--check --reformat counts it");
    write(dir, &rewritten, false).expect("--reformat is the consent");
    assert!(!fs::read_to_string(&path).unwrap().contains("public port"));
}

/// Documents keyed by kind and name, so that order does not matter.
fn by_kind_and_name(docs: Vec<Value>) -> BTreeMap<(String, String), Value> {
    docs.into_iter()
        .map(|d| {
            let key = (
                d["kind"].as_str().unwrap().to_string(),
                d["metadata"]["name"].as_str().unwrap().to_string(),
            );
            (key, d)
        })
        .collect()
}

#[test]
fn kubectl_kustomize_reads_each_folder() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        println!("skipped: kubectl is not installed");
        return;
    }
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: task-api\n  namespace: tasks\nspec:\n  ports:\n  - port: 8000\n";
    let tmp = tempfile::tempdir().unwrap();
    let mut files = manifests();
    files.push(out("tasks/service-task-api.yaml", service));
    write_all(tmp.path(), &with_kustomizations(files, &[]));

    for (folder, expected) in [
        ("platform", vec![GATEWAY]),
        ("tasks", vec![ROUTE, service]),
        ("", vec![GATEWAY, ROUTE, service]),
    ] {
        let output = Command::new("kubectl")
            .arg("kustomize")
            .arg(tmp.path().join(folder))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "kubectl kustomize {folder}: {stderr}"
        );
        let got: Vec<Value> =
            yaml::from_str_multiple(&String::from_utf8(output.stdout).unwrap()).unwrap();
        let expected: Vec<Value> = expected
            .into_iter()
            .map(|text| yaml::from_str(text).unwrap())
            .collect();
        assert_eq!(
            by_kind_and_name(got),
            by_kind_and_name(expected),
            "{folder}"
        );
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Path pieces that matter: escapes, links, odd names, plain names.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("..".to_string()),
            Just(".".to_string()),
            Just("".to_string()),
            Just("link".to_string()),
            Just("a".to_string()),
            Just("kustomization.yaml".to_string()),
            "[a-z.~ -]{1,6}",
        ]
    }

    fn relative_path() -> impl Strategy<Value = String> {
        (any::<bool>(), prop::collection::vec(piece(), 1..5)).prop_map(|(absolute, pieces)| {
            format!("{}{}", if absolute { "/" } else { "" }, pieces.join("/"))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn writes_inside_dir_or_refuses(paths in prop::collection::vec(relative_path(), 1..4)) {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("out");
            let outside = tmp.path().join("outside");
            fs::create_dir_all(&dir).unwrap();
            fs::create_dir(&outside).unwrap();
            symlink(&outside, dir.join("link")).unwrap();
            let files: Vec<OutFile> = paths.iter().map(|p| out(p, "a: 1\n")).collect();

            let written = compare(&dir, &files).and_then(|changes| write(&dir, &changes, true));
            prop_assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
            let mut top: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            top.sort();
            prop_assert_eq!(top, ["out", "outside"]);
            if let Ok(report) = written {
                for rel in &report.written {
                    let path = dir.join(rel);
                    prop_assert!(fs::symlink_metadata(&path).unwrap().is_file());
                    let real = path.canonicalize().unwrap();
                    prop_assert!(real.starts_with(dir.canonicalize().unwrap()), "{}", real.display());
                }
            }
        }
    }
}
