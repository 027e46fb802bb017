//! Stdio in front of rmcp. rmcp drops a line that is not JSON without a word; JSON-RPC wants a
//! "Parse error" answer (id null) so a client sees what went wrong. Lines are read here, valid JSON
//! goes on to the server, and every line on stdout comes from one writer, so answers and parse
//! errors never interleave.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// JSON-RPC's code for a message that is not JSON.
const PARSE_ERROR: i64 = -32700;
const BUFFER: usize = 1 << 16;

/// The server's transport (what it reads, where it writes) and the stdout writer to await at the
/// end, which finishes once the server's side is dropped.
pub fn stdio() -> (DuplexStream, DuplexStream, JoinHandle<()>) {
    let (server_in, feed) = tokio::io::duplex(BUFFER);
    let (server_out, drain) = tokio::io::duplex(BUFFER);
    let (lines_out, mut to_stdout) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(read_stdin(feed, lines_out.clone()));
    tokio::spawn(async move {
        let mut answers = BufReader::new(drain).lines();
        while let Ok(Some(line)) = answers.next_line().await {
            if lines_out.send(line).is_err() {
                break;
            }
        }
    });
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(line) = to_stdout.recv().await {
            let written = stdout.write_all(format!("{line}\n").as_bytes()).await;
            if written.is_err() || stdout.flush().await.is_err() {
                break;
            }
        }
    });
    (server_in, server_out, writer)
}

async fn read_stdin(mut feed: DuplexStream, errors: UnboundedSender<String>) {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim().is_empty() {
            continue;
        }
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&line) {
            let answer = serde_json::json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": {"code": PARSE_ERROR, "message": format!("Parse error: {e}")},
            });
            let _ = errors.send(answer.to_string());
            continue;
        }
        if feed
            .write_all(format!("{line}\n").as_bytes())
            .await
            .is_err()
        {
            break;
        }
    }
    // End of input: the server sees it and ends the session.
    let _ = feed.shutdown().await;
}
