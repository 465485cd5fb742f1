//! A small LSP client for the tests: it starts `clearance lsp` as a subprocess and
//! speaks the protocol over its stdin and stdout, framed by `lsp-server`'s own
//! `Message::read` and `Message::write`. Every wait is bounded, so a server that hangs
//! fails the test instead of hanging it.

use std::collections::VecDeque;
use std::io::{BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId, ResponseError};
use lsp_types::notification::{
    DidOpenTextDocument, Exit, Initialized, Notification as LspNotification, PublishDiagnostics,
};
use lsp_types::request::{Initialize, Request as LspRequest, Shutdown};
use lsp_types::{
    ClientCapabilities, DidOpenTextDocumentParams, GeneralClientCapabilities, InitializeParams,
    InitializeResult, PositionEncodingKind, PublishDiagnosticsParams, TextDocumentItem, Uri,
};

/// How long any one answer may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Message>,
    /// Notifications received while waiting for something else.
    pending: VecDeque<Message>,
    next_id: i32,
    /// Every message sent and received, when recording: (`"client"`/`"server"`, JSON).
    pub transcript: Option<Vec<(&'static str, serde_json::Value)>>,
}

impl Client {
    /// Starts `clearance lsp` with `extra` arguments.
    pub fn start(extra: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clearance"))
            .arg("lsp")
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start clearance lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
            transcript: None,
        }
    }

    /// Starts the server and completes the handshake; `encodings` are the position
    /// encodings the client offers (none: the protocol's default, UTF-16).
    pub fn initialized(encodings: &[PositionEncodingKind]) -> (Client, InitializeResult) {
        let mut client = Client::start(&[]);
        let result = client.initialize(encodings);
        (client, result)
    }

    pub fn initialize(&mut self, encodings: &[PositionEncodingKind]) -> InitializeResult {
        let general = (!encodings.is_empty()).then(|| GeneralClientCapabilities {
            position_encodings: Some(encodings.to_vec()),
            ..GeneralClientCapabilities::default()
        });
        let params = InitializeParams {
            capabilities: ClientCapabilities {
                general,
                ..ClientCapabilities::default()
            },
            ..InitializeParams::default()
        };
        let result = self.request::<Initialize>(params);
        self.notify::<Initialized>(lsp_types::InitializedParams {});
        result
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn record(&mut self, from: &'static str, message: &Message) {
        if let Some(t) = &mut self.transcript {
            t.push((from, serde_json::to_value(message).expect("json")));
        }
    }

    pub fn send(&mut self, message: Message) {
        self.record("client", &message);
        let stdin = self.stdin.as_mut().expect("the server's input is open");
        message.write(stdin).expect("write to the server");
        stdin.flush().expect("flush");
    }

    /// The next message from the server, waiting at most [`TIMEOUT`].
    fn receive(&mut self) -> Message {
        match self.incoming.recv_timeout(TIMEOUT) {
            Ok(m) => {
                self.record("server", &m);
                m
            }
            Err(RecvTimeoutError::Timeout) => panic!("the server did not answer in {TIMEOUT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Sends a request and waits for its response, keeping notifications for later.
    pub fn request_raw(
        &mut self,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ResponseError> {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.send(Request::new(id.clone(), method.to_string(), params).into());
        loop {
            match self.receive() {
                Message::Response(r) if r.id == id => return r.response_result,
                Message::Response(r) => panic!("a response to an unknown request: {r:?}"),
                other => self.pending.push_back(other),
            }
        }
    }

    pub fn request<R: LspRequest>(&mut self, params: R::Params) -> R::Result {
        let params = serde_json::to_value(params).expect("json");
        match self.request_raw(R::METHOD, params) {
            Ok(result) => serde_json::from_value(result).expect("a result of the right type"),
            Err(e) => panic!("`{}` failed: {} ({})", R::METHOD, e.message, e.code),
        }
    }

    pub fn notify<N: LspNotification>(&mut self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    /// The first notification `N` that `accept` takes (earlier ones of that kind are
    /// dropped), waiting at most [`TIMEOUT`] for each message.
    pub fn notification<N: LspNotification>(
        &mut self,
        accept: impl Fn(&N::Params) -> bool,
    ) -> N::Params {
        let take = |m: &Message| match m {
            Message::Notification(n) if n.method == N::METHOD => {
                serde_json::from_value::<N::Params>(n.params.clone()).ok()
            }
            _ => None,
        };
        while let Some(m) = self.pending.pop_front() {
            if let Some(p) = take(&m).filter(|p| accept(p)) {
                return p;
            }
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(
                Instant::now() < deadline,
                "no `{}` in {TIMEOUT:?}",
                N::METHOD
            );
            let m = self.receive();
            if let Some(p) = take(&m).filter(|p| accept(p)) {
                return p;
            }
        }
    }

    /// Opens `text` as `uri` and returns the diagnostics the server publishes for it.
    pub fn open(&mut self, uri: &Uri, text: &str) -> PublishDiagnosticsParams {
        self.notify::<DidOpenTextDocument>(DidOpenTextDocumentParams {
            text_document: TextDocumentItem::new(uri.clone(), "clearance".into(), 1, text.into()),
        });
        self.diagnostics(uri, Some(1))
    }

    /// The diagnostics published for `uri` (at `version`, when given).
    pub fn diagnostics(&mut self, uri: &Uri, version: Option<i32>) -> PublishDiagnosticsParams {
        let uri = uri.clone();
        self.notification::<PublishDiagnostics>(move |p| {
            p.uri == uri && (version.is_none() || p.version == version)
        })
    }

    /// `shutdown`, then `exit`: the exit status of the server.
    pub fn shutdown(mut self) -> ExitStatus {
        self.request::<Shutdown>(());
        self.notify::<Exit>(());
        self.stdin = None;
        self.wait()
    }

    /// Waits (bounded) for the server to end by itself.
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes the server's input without `shutdown` or `exit`.
    pub fn close_input(&mut self) {
        self.stdin = None;
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A test that failed half-way leaves no server behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn uri(name: &str) -> Uri {
    format!("file:///home/author/{name}")
        .parse()
        .expect("a URI")
}
