//! Writes `examples/sample-export.zip`, the small ChatGPT export that users import first.
//!
//! ```text
//! cargo run --example make_sample              # writes examples/sample-export.zip
//! cargo run --example make_sample -- OUT.zip   # writes somewhere else
//! chatarchive import examples/sample-export.zip
//! ```
//!
//! The archive is laid out like a 2026 export: two compact conversation shards
//! (`conversations-000.json`, `conversations-001.json`) listed by `export_manifest.json`,
//! flat `file_<hex>.dat` assets named in `conversation_asset_file_names.json`, and the side
//! files `user.json`, `user_settings.json`, `message_feedback.json`,
//! `model_comparisons.json`, `shared_conversations.json` and `library_files.json`.
//!
//! The fourteen conversations span one made-up account's history from 2023 to 2026, so every
//! era's message shape appears: 2023 system roots and `aaa2…` user ids, 2024/2025
//! `client-created-root` placeholders with hidden system nodes, and 2026 slim nodes without
//! `children`, `status`, `weight` or `metadata`. Between them they show a regenerated answer,
//! an edited question, a code-interpreter chain, a voice chat with WAV clips, an image upload,
//! reasoning nodes, a web-search answer with citation tokens, custom instructions, a project
//! conversation, French and Japanese text, emoji and an untitled conversation.
//!
//! Output is deterministic: ids come from a fixed-seed generator, timestamps are fixed and
//! every ZIP entry carries the same modification time, so two runs give identical bytes.

use std::error::Error;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::{datetime, format_description};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

type Res<T> = Result<T, Box<dyn Error>>;

// ---------------------------------------------------------------------------------------------
// Deterministic ids and timestamps.

/// splitmix64: small, fast and good enough for made-up ids.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }

    fn variant(&mut self) -> char {
        ['8', '9', 'a', 'b'][self.below(4) as usize]
    }

    fn uuid4(&mut self) -> String {
        let (a, b, c) = (self.hex(8), self.hex(4), self.hex(3));
        let (v, d, e) = (self.variant(), self.hex(3), self.hex(12));
        format!("{a}-{b}-4{c}-{v}{d}-{e}")
    }

    /// The 2025+ style: the first eight hex digits are the Unix time of creation.
    fn time_id(&mut self, secs: i64) -> String {
        let (b, c) = (self.hex(4), self.hex(3));
        let (v, d, e) = (self.variant(), self.hex(3), self.hex(12));
        format!("{secs:08x}-{b}-8{c}-{v}{d}-{e}")
    }

    fn sediment_file_id(&mut self) -> String {
        format!("file_00000000{}", self.hex(24))
    }
}

/// Epoch seconds with a `digits`-digit fractional part, like the float timestamps of an export.
#[derive(Clone, Copy)]
struct Stamp {
    secs: i64,
    frac: u64,
    digits: usize,
}

impl Stamp {
    /// The float nearest to `secs.frac`; serde_json prints it, as Python does, as the shortest
    /// decimal that reads back to the same float.
    fn float(self) -> f64 {
        let text = format!("{}.{:0width$}", self.secs, self.frac, width = self.digits);
        text.parse().expect("a decimal number")
    }
}

fn iso(secs: i64) -> String {
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
    );
    let t = OffsetDateTime::from_unix_timestamp(secs).expect("timestamp in range");
    t.format(&fmt).expect("formattable timestamp")
}

// ---------------------------------------------------------------------------------------------
// Messages and conversations.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Era {
    /// System-message root, `aaa2…` user ids, no `channel`.
    Y2023,
    /// Message-less root with a random id, then a hidden system node.
    Y2024,
    /// `client-created-root`, then a hidden system node.
    Y2025,
    /// Slim: `client-created-root`, no `children`, `author` is only `{role}`.
    Y2026,
}

struct Msg {
    role: &'static str,
    name: Option<&'static str>,
    content: Value,
    recipient: &'static str,
    channel: Option<&'static str>,
    end_turn: Option<bool>,
    hidden_weight: bool,
    timed: bool,
    meta: Map<String, Value>,
}

impl Msg {
    fn new(role: &'static str, content: Value) -> Msg {
        Msg {
            role,
            name: None,
            content,
            recipient: "all",
            channel: None,
            end_turn: (role == "assistant").then_some(true),
            hidden_weight: false,
            timed: true,
            meta: Map::new(),
        }
    }

    fn user(text: &str) -> Msg {
        Msg::new("user", text_content(text))
    }

    fn asst(text: &str) -> Msg {
        Msg::new("assistant", text_content(text))
    }

    fn meta(mut self, key: &str, value: impl Into<Value>) -> Msg {
        self.meta.insert(key.to_string(), value.into());
        self
    }

    fn to(mut self, recipient: &'static str) -> Msg {
        self.recipient = recipient;
        self.end_turn = Some(false);
        self
    }

    fn chan(mut self, channel: &'static str) -> Msg {
        self.channel = Some(channel);
        self
    }

    fn named(mut self, name: &'static str) -> Msg {
        self.name = Some(name);
        self
    }

    fn no_end_turn(mut self) -> Msg {
        self.end_turn = None;
        self
    }

    /// Scaffolding: no `create_time`, no automatic metadata.
    fn untimed(mut self) -> Msg {
        self.timed = false;
        self.end_turn = None;
        self
    }
}

fn text_content(text: &str) -> Value {
    json!({"content_type": "text", "parts": [text]})
}

fn code_content(language: &str, text: &str) -> Value {
    json!({
        "content_type": "code",
        "language": language,
        "response_format_name": null,
        "text": text,
    })
}

fn multimodal(parts: Vec<Value>) -> Value {
    json!({"content_type": "multimodal_text", "parts": parts})
}

struct Node {
    id: String,
    parent: Option<String>,
    message: Option<Value>,
}

struct Conv {
    era: Era,
    rng: Rng,
    id: String,
    title: Option<&'static str>,
    model: &'static str,
    created: Stamp,
    clock: Stamp,
    nodes: Vec<Node>,
    current: Option<String>,
    fields: Map<String, Value>,
}

impl Conv {
    fn new(seed: u64, era: Era, start: OffsetDateTime, title: Option<&'static str>) -> Conv {
        let mut rng = Rng(seed.wrapping_mul(0xA24B_AED4_963E_E407));
        let secs = start.unix_timestamp();
        let id = match era {
            Era::Y2023 | Era::Y2024 => rng.uuid4(),
            Era::Y2025 | Era::Y2026 => rng.time_id(secs),
        };
        let clock = Stamp { secs, frac: rng.below(1_000_000), digits: 6 };
        let model = match era {
            Era::Y2023 => "gpt-4",
            Era::Y2024 => "gpt-4o",
            Era::Y2025 | Era::Y2026 => "gpt-5",
        };
        let (nodes, fields) = (Vec::new(), Map::new());
        let (created, current) = (clock, None);
        Conv { era, rng, id, title, model, created, clock, nodes, current, fields }
    }

    fn model(mut self, slug: &'static str) -> Conv {
        self.model = slug;
        self
    }

    fn field(mut self, key: &str, value: impl Into<Value>) -> Conv {
        self.fields.insert(key.to_string(), value.into());
        self
    }

    fn full(&self) -> bool {
        self.era != Era::Y2026
    }

    /// Moves the clock forward and returns the new time.
    fn tick(&mut self, secs: i64) -> f64 {
        let seven = self.era == Era::Y2026 && self.rng.below(3) == 0;
        self.clock.secs += secs;
        self.clock.digits = if seven { 7 } else { 6 };
        self.clock.frac = self.rng.below(if seven { 10_000_000 } else { 1_000_000 });
        self.clock.float()
    }

    fn node_id(&mut self, role: &str) -> String {
        match self.era {
            Era::Y2023 if role == "user" => format!("aaa2{}", &self.rng.uuid4()[4..]),
            Era::Y2023 | Era::Y2024 | Era::Y2025 => self.rng.uuid4(),
            Era::Y2026 => self.rng.time_id(self.clock.secs),
        }
    }

    /// Creates the era's root scaffolding and returns the id the first message hangs from.
    fn start(&mut self) -> String {
        let root = match self.era {
            Era::Y2023 => {
                let system = Msg::new("system", text_content("")).untimed();
                return self.add_root(system);
            }
            Era::Y2024 => self.rng.uuid4(),
            Era::Y2025 | Era::Y2026 => "client-created-root".to_string(),
        };
        self.nodes.push(Node { id: root.clone(), parent: None, message: None });
        if self.era == Era::Y2026 {
            return root;
        }
        let mut hidden = Msg::new("system", text_content("")).untimed();
        hidden.hidden_weight = true;
        let hidden = hidden.meta("is_visually_hidden_from_conversation", true);
        self.add(&root, hidden)
    }

    fn add_root(&mut self, m: Msg) -> String {
        let id = self.rng.uuid4();
        let message = self.render(&id, "", m, None);
        self.nodes.push(Node { id: id.clone(), parent: None, message: Some(message) });
        id
    }

    /// Adds a message under `parent` and returns its id.
    fn add(&mut self, parent: &str, m: Msg) -> String {
        let time = if !m.timed {
            None
        } else if m.role == "user" {
            let pause = 25 + self.rng.below(140) as i64;
            Some(self.tick(pause))
        } else {
            let pause = 2 + self.rng.below(12) as i64;
            Some(self.tick(pause))
        };
        let id = self.node_id(m.role);
        let message = self.render(&id, parent, m, time);
        let parent = Some(parent.to_string());
        self.nodes.push(Node { id: id.clone(), parent, message: Some(message) });
        id
    }

    fn render(&mut self, id: &str, parent: &str, m: Msg, time: Option<f64>) -> Value {
        if !self.full() {
            return render_slim(id, m, time);
        }
        let meta = self.metadata(parent, &m);
        let weight = if m.hidden_weight { 0.0 } else { 1.0 };
        let mut msg = json!({
            "id": id,
            "author": {"role": m.role, "name": m.name, "metadata": {}},
            "create_time": time,
            "update_time": null,
            "content": m.content,
            "status": "finished_successfully",
            "end_turn": m.end_turn,
            "weight": weight,
            "metadata": meta,
            "recipient": m.recipient,
        });
        if self.era != Era::Y2023 {
            msg["channel"] = json!(m.channel);
        }
        msg
    }

    fn metadata(&mut self, parent: &str, m: &Msg) -> Value {
        let mut meta = json!({});
        if m.timed {
            match m.role {
                "assistant" => self.assistant_meta(parent, &mut meta),
                "user" => self.user_meta(&mut meta),
                _ => {
                    meta["is_complete"] = json!(true);
                    meta["model_slug"] = json!(self.model);
                    meta["parent_id"] = json!(parent);
                }
            }
        }
        for (key, value) in &m.meta {
            meta[key] = value.clone();
        }
        meta
    }

    fn assistant_meta(&mut self, parent: &str, meta: &mut Value) {
        let newer = self.era != Era::Y2023;
        let stop = if newer { 200_002 } else { 100_260 };
        meta["finish_details"] = json!({"type": "stop", "stop_tokens": [stop]});
        meta["is_complete"] = json!(true);
        if newer {
            meta["citations"] = json!([]);
            meta["content_references"] = json!([]);
        }
        meta["message_type"] = json!("next");
        meta["model_slug"] = json!(self.model);
        if newer {
            meta["default_model_slug"] = json!(self.model);
        }
        meta["parent_id"] = json!(parent);
        meta["request_id"] = json!(self.request_id());
        meta["timestamp_"] = json!("absolute");
    }

    fn user_meta(&mut self, meta: &mut Value) {
        if self.era != Era::Y2023 {
            meta["selected_github_repos"] = json!([]);
            meta["serialization_metadata"] = json!({"custom_symbol_offsets": []});
        }
        meta["request_id"] = json!(self.request_id());
        if self.era != Era::Y2023 {
            meta["message_source"] = Value::Null;
        }
        meta["timestamp_"] = json!("absolute");
        meta["message_type"] = Value::Null;
    }

    fn request_id(&mut self) -> String {
        let pop = ["IAD", "ORD", "SJC", "AMS"][self.rng.below(4) as usize];
        format!("{}-{pop}", self.rng.hex(16))
    }

    fn select(&mut self, node: &str) {
        self.current = Some(node.to_string());
    }

    /// Adds a metadata key to the newest message, for values known only after it exists.
    fn patch_last_metadata(&mut self, key: &str, value: Value) {
        let message = self.nodes.last_mut().and_then(|n| n.message.as_mut());
        if let Some(meta) = message.and_then(|m| m.get_mut("metadata")) {
            meta[key] = value;
        }
    }
}

fn render_slim(id: &str, m: Msg, time: Option<f64>) -> Value {
    let mut msg = json!({
        "id": id,
        "author": {"role": m.role},
        "create_time": time,
        "content": m.content,
    });
    if m.end_turn == Some(true) {
        msg["end_turn"] = json!(true);
    }
    if !m.meta.is_empty() {
        msg["metadata"] = Value::Object(m.meta);
    }
    msg
}

impl Conv {
    fn mapping(&self) -> Value {
        let mut mapping = Map::new();
        for node in &self.nodes {
            let mut value = json!({"id": node.id, "message": node.message, "parent": node.parent});
            if self.full() {
                let children = self.nodes.iter().filter(|n| n.parent.as_ref() == Some(&node.id));
                let ids: Vec<&str> = children.map(|n| n.id.as_str()).collect();
                value["children"] = json!(ids);
            }
            mapping.insert(node.id.clone(), value);
        }
        Value::Object(mapping)
    }

    fn extra(&self, key: &str) -> Value {
        self.fields.get(key).cloned().unwrap_or_default()
    }

    fn current_node(&self) -> String {
        let last = self.nodes.last().map(|n| n.id.clone());
        self.current.clone().or(last).unwrap_or_default()
    }

    fn finish(&self) -> Value {
        match self.era {
            Era::Y2023 => self.finish_2023(),
            Era::Y2024 | Era::Y2025 => self.finish_2025(),
            Era::Y2026 => self.finish_2026(),
        }
    }

    fn finish_2023(&self) -> Value {
        json!({
            "title": self.title,
            "create_time": self.created.float(),
            "update_time": self.clock.float(),
            "mapping": self.mapping(),
            "moderation_results": [],
            "current_node": self.current_node(),
            "plugin_ids": null,
            "conversation_id": self.id,
            "conversation_template_id": null,
            "gizmo_id": null,
            "is_archived": false,
            "safe_urls": [],
            "default_model_slug": self.model,
            "id": self.id,
        })
    }

    fn finish_2025(&self) -> Value {
        let memory = self.fields.get("memory_scope").and_then(Value::as_str);
        let memory = memory.unwrap_or("global_enabled");
        json!({
            "title": self.title,
            "create_time": self.created.float(),
            "update_time": self.clock.float(),
            "mapping": self.mapping(),
            "moderation_results": [],
            "current_node": self.current_node(),
            "plugin_ids": null,
            "conversation_id": self.id,
            "conversation_template_id": self.extra("gizmo_id"),
            "gizmo_id": self.extra("gizmo_id"),
            "gizmo_type": self.extra("gizmo_type"),
            "is_archived": false,
            "is_starred": null,
            "safe_urls": [],
            "blocked_urls": [],
            "default_model_slug": self.model,
            "conversation_origin": null,
            "voice": self.extra("voice"),
            "async_status": null,
            "disabled_tool_ids": [],
            "is_do_not_remember": false,
            "memory_scope": memory,
            "sugar_item_id": null,
            "sugar_item_visible": false,
            "is_study_mode": false,
            "pinned_time": null,
            "id": self.id,
        })
    }

    fn finish_2026(&self) -> Value {
        json!({
            "conversation_id": self.id,
            "conversation_template_id": null,
            "create_time": self.created.float(),
            "current_node": self.current_node(),
            "default_model_slug": self.model,
            "id": self.id,
            "is_archived": false,
            "is_do_not_remember": false,
            "is_read_only": null,
            "is_starred": null,
            "is_study_mode": false,
            "mapping": self.mapping(),
            "memory_scope": "global_enabled",
            "pinned_time": null,
            "plugin_ids": null,
            "title": self.title,
            "update_time": self.clock.float(),
            "voice": null,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Tiny but valid binary assets.

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// A zlib stream made of uncompressed ("stored") deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// An RGB PNG whose pixels come from `pixel(x, y)`.
fn png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0);
        for x in 0..width {
            raw.extend_from_slice(&pixel(x, y));
        }
    }
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut out, b"IHDR", &header);
    png_chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A tomato leaf on soil, with three brown spots ringed in yellow.
fn leaf_pixel(x: u32, y: u32) -> [u8; 3] {
    let (fx, fy) = (f64::from(x) - 16.0, f64::from(y) - 12.0);
    let spots = [(10.0, 9.0), (19.0, 14.0), (14.0, 16.0)];
    let near = spots.iter().map(|(sx, sy)| (f64::from(x) - sx).hypot(f64::from(y) - sy));
    let spot = near.fold(f64::MAX, f64::min);
    if (fx / 14.0).powi(2) + (fy / 9.0).powi(2) > 1.0 {
        [120, 92, 64]
    } else if spot < 1.5 {
        [92, 58, 30]
    } else if spot < 2.6 {
        [196, 188, 70]
    } else {
        [58, 128, 48]
    }
}

/// An 8 kHz, 8-bit mono WAV file holding a soft triangle-wave tone.
fn wav(samples: u32, period: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(44 + samples as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + samples).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&samples.to_le_bytes());
    for i in 0..samples {
        let phase = i % period;
        let tri = if phase < period / 2 { phase } else { period - phase };
        let level = (tri * 48 / (period / 2)) as i32 - 24;
        let fade = (i.min(samples - i).min(400) as i32) * level / 400;
        out.push((128 + fade) as u8);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The export being assembled.

struct Asset {
    file_id: String,
    bytes: Vec<u8>,
    original_name: String,
}

struct Export {
    rng: Rng,
    user_id: String,
    conversations: Vec<(i64, Value)>,
    assets: Vec<Asset>,
    feedback: Vec<Value>,
    shares: Vec<Value>,
    library: Vec<Value>,
    nodes: usize,
    messages: usize,
}

impl Export {
    fn new() -> Export {
        let mut rng = Rng(0x5A17_C0DE_2026);
        let user_id = format!("user-{}", alnum(&mut rng, 24));
        let (conversations, assets) = (Vec::new(), Vec::new());
        let (feedback, shares, library) = (Vec::new(), Vec::new(), Vec::new());
        let (nodes, messages) = (0, 0);
        Export { rng, user_id, conversations, assets, feedback, shares, library, nodes, messages }
    }

    fn done(&mut self, conv: &Conv) {
        self.nodes += conv.nodes.len();
        self.messages += conv.nodes.iter().filter(|n| n.message.is_some()).count();
        let order = conv.clock.secs;
        self.conversations.push((order, conv.finish()));
    }

    fn asset(&mut self, bytes: Vec<u8>, original_name: String) -> (String, usize) {
        let file_id = self.rng.sediment_file_id();
        let size = bytes.len();
        self.assets.push(Asset { file_id: file_id.clone(), bytes, original_name });
        (file_id, size)
    }

    fn thumbs_up(&mut self, conv: &Conv, message_id: &str, at: i64) {
        let stamp = iso(at);
        self.feedback.push(json!({
            "id": self.rng.uuid4(),
            "conversation_id": conv.id,
            "message_id": message_id,
            "user_id": self.user_id,
            "rating": "thumbsUp",
            "content": "{}",
            "create_time": stamp,
            "update_time": stamp,
            "workspace_id": null,
        }));
    }

    fn share(&mut self, conv: &Conv) {
        self.shares.push(json!({
            "id": self.rng.uuid4(),
            "conversation_id": conv.id,
            "title": conv.title,
            "is_anonymous": true,
        }));
    }
}

fn alnum(rng: &mut Rng, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| char::from(CHARS[rng.below(CHARS.len() as u64) as usize])).collect()
}

// ---------------------------------------------------------------------------------------------
// The conversations, oldest first.

fn lentil_soup(x: &mut Export) {
    let start = datetime!(2023-04-18 18:42:07 UTC);
    let mut c = Conv::new(1, Era::Y2023, start, Some("Weeknight lentil soup"));
    let root = c.start();
    let q1 = c.add(
        &root,
        Msg::user(
            "I have red lentils, one onion, a tin of chopped tomatoes and a slightly sad \
             carrot. Can I turn that into a proper soup in under 40 minutes?",
        ),
    );
    let a1 = c.add(&q1, Msg::asst(SOUP_ANSWER));
    let q2 = c.add(
        &a1,
        Msg::user(
            "Nice. What could I add to make it feel more like dinner and less like a starter?",
        ),
    );
    c.add(
        &q2,
        Msg::asst(
            "Crumble some feta over the top, or serve it with toasted bread rubbed with \
             garlic. A fried egg on top also works surprisingly well.",
        ),
    );
    let regenerated = c.add(&q2, Msg::asst(SOUP_REGENERATED));
    c.select(&regenerated);
    x.done(&c);
    x.share(&c);
}

const SOUP_ANSWER: &str = "Yes. Red lentils are ideal for this because they fall apart in \
about 20 minutes and thicken the soup on their own.\n\n\
1. Dice the onion and carrot and soften them in a little oil for 6–8 minutes.\n\
2. Stir in a teaspoon of ground cumin, plus a pinch of chilli flakes if you have them.\n\
3. Add 200 g rinsed lentils, the tomatoes and about 900 ml of water or stock.\n\
4. Simmer for 20 minutes, stirring now and then so nothing catches on the bottom.\n\
5. Season with salt and a squeeze of lemon; blend half of it if you like it smoother.\n\n\
The lemon at the end matters most: it wakes up the earthy lentils.";

const SOUP_REGENERATED: &str = "A few ways to turn it into a full meal:\n\n\
- **Greens:** stir in two handfuls of spinach or kale in the last two minutes.\n\
- **Protein:** top each bowl with a soft-boiled egg or some crumbled feta.\n\
- **Carbs:** ladle it over leftover rice, or serve it with warm flatbread for dipping.\n\
- **Crunch:** toast a spoonful of seeds in a dry pan and scatter them on top.\n\n\
Spinach plus flatbread is the combination I would try first: quick, cheap and filling.";

fn bike_chain(x: &mut Export) {
    let start = datetime!(2023-06-03 09:15:40 UTC);
    let mut c = Conv::new(2, Era::Y2023, start, Some("Bike chain keeps slipping"));
    let root = c.start();
    let about = json!({
        "about_user_message": "I commute 12 km each way on an old steel road bike and do my \
            own basic repairs with a small tool kit.",
        "about_model_message": "Be direct. Name the tool I need before each step.",
    });
    let ci = Msg::new("system", text_content("")).untimed();
    let ci = ci.meta("is_user_system_message", true).meta("user_context_message_data", about);
    let ci = c.add(&root, ci);
    let q1 = "My chain skips when I push hard on the pedals, mostly uphill. What's the cause?";
    let q1 = c.add(&ci, Msg::user(q1));
    let a1 = c.add(&q1, Msg::asst(CHAIN_CAUSES));
    let old = c.add(&a1, Msg::user("It's a 9-speed and the chain is maybe two years old."));
    c.add(&old, Msg::asst(CHAIN_OLD_BRANCH));
    let edited = c.add(
        &a1,
        Msg::user(
            "It's a 9-speed. The chain has done about 3,000 km, and it only skips on the two \
             smallest cogs at the back.",
        ),
    );
    let a2 = c.add(&edited, Msg::asst(CHAIN_WEAR));
    let q3 = c.add(&a2, Msg::user("I don't have a chain checker. Can I measure it another way?"));
    c.add(&q3, Msg::asst(CHAIN_RULER));
    x.done(&c);
}

const CHAIN_CAUSES: &str = "Skipping under load usually comes from one of three things:\n\n\
1. **A worn chain** that no longer sits deep in the teeth of the cogs.\n\
2. **Worn cogs**, especially the ones you ride in most.\n\
3. **Indexing** that is slightly off, so the chain hovers between two cogs.\n\n\
How many gears do you have at the back, and roughly how old is the chain?";

const CHAIN_OLD_BRANCH: &str = "Two years of commuting is a lot of wear for a 9-speed chain. \
Check it with a chain checker; if it reads 0.75% or more, replace the chain and expect to \
replace the cassette as well.";

const CHAIN_WEAR: &str = "That pattern points strongly at wear. Around 3,000 km is when many \
9-speed chains reach their limit, and the small cogs have the fewest teeth, so they wear \
fastest and show it first.\n\n\
Tool: a chain checker (or a ruler, if you don't have one).\n\n\
1. Measure the chain. At 0.5% stretch, replace the chain on its own.\n\
2. Past 0.75%, the two small cogs are probably worn too, and a new chain on worn cogs will \
skip just the same.\n\
3. After fitting a new chain, test the small cogs under hard pedalling before riding in \
traffic.";

const CHAIN_RULER: &str = "Yes, with a steel ruler or a tape measure.\n\n\
Tool: a ruler marked in inches (or millimetres).\n\n\
1. Put the chain under light tension: shift to the big chainring and pedal backwards a \
little.\n\
2. Line up the zero mark with the centre of one pin.\n\
3. Look at the pin 24 links along. On a new chain it sits exactly at 12 inches (304.8 mm).\n\
4. If that pin is at 12 1/16 inches (about 306.4 mm) or beyond, the chain is worn out.\n\n\
That extra 1/16 inch is about half a percent, the usual replacement point for a 9-speed \
chain.";

fn cabin_costs(x: &mut Export) {
    let start = datetime!(2023-09-12 20:03:11 UTC);
    let mut c = Conv::new(3, Era::Y2023, start, Some("Splitting the cabin rental"));
    let root = c.start();
    let q = c.add(
        &root,
        Msg::user(
            "Five of us rented a cabin for three nights and it cost 840 in total. Ana, Ben and \
             Chloé stayed all three nights; Dev and Eli only came for the last two. What's a \
             fair split?",
        ),
    );
    let call = Msg::new("assistant", code_content("python", CABIN_CODE)).to("python");
    let call = c.add(&q, call.meta("model_slug", "gpt-4-code-interpreter"));
    let started = c.clock;
    let output = Msg::new("tool", json!({"content_type": "execution_output", "text": CABIN_OUT}));
    let output = output.named("python").meta("model_slug", "gpt-4-code-interpreter");
    let output = c.add(&call, output);
    let result = cabin_aggregate(&mut c, started);
    c.patch_last_metadata("aggregate_result", result);
    let answer = Msg::asst(CABIN_ANSWER).meta("model_slug", "gpt-4-code-interpreter");
    c.add(&output, answer);
    x.done(&c);
}

fn cabin_aggregate(c: &mut Conv, started: Stamp) -> Value {
    json!({
        "status": "success",
        "run_id": c.rng.uuid4(),
        "start_time": started.float(),
        "update_time": c.clock.float(),
        "code": CABIN_CODE,
        "end_time": c.clock.float(),
        "final_expression_output": CABIN_OUT,
        "in_kernel_exception": null,
        "system_exception": null,
        "messages": [],
        "jupyter_messages": [],
        "timeout_triggered": null,
    })
}

const CABIN_CODE: &str = "total = 840\n\
nights = {\"Ana\": 3, \"Ben\": 3, \"Chloé\": 3, \"Dev\": 2, \"Eli\": 2}\n\
per_night = total / sum(nights.values())\n\
shares = {name: round(n * per_night, 2) for name, n in nights.items()}\n\
shares, round(sum(shares.values()), 2)";

const CABIN_OUT: &str = "({'Ana': 193.85, 'Ben': 193.85, 'Chloé': 193.85, 'Dev': 129.23, \
'Eli': 129.23}, 840.01)";

const CABIN_ANSWER: &str = "Splitting by person-nights (13 in total, about 64.62 per person \
per night) gives:\n\n\
| Person | Nights | Share |\n\
|---|---|---|\n\
| Ana | 3 | 193.85 |\n\
| Ben | 3 | 193.85 |\n\
| Chloé | 3 | 193.85 |\n\
| Dev | 2 | 129.23 |\n\
| Eli | 2 | 129.23 |\n\n\
Rounding makes the total 840.01, so knock a cent off one share (perhaps whoever paid for \
the booking).";

fn boiled_egg(x: &mut Export) {
    let start = datetime!(2023-11-05 07:31:52 UTC);
    let mut c = Conv::new(4, Era::Y2023, start, None).model("text-davinci-002-render-sha");
    let root = c.start();
    let q = c.add(&root, Msg::user("how long do i boil an egg if i want the yolk still runny"));
    c.add(
        &q,
        Msg::asst(
            "About 6 minutes, if you lower a fridge-cold large egg into water that is \
             already boiling. Move it straight into cold water for a minute so it stops \
             cooking. Give it 6½ minutes for a jammy yolk, or 9–10 minutes for a firm one.",
        ),
    );
    x.done(&c);
}

fn lyon_weekend(x: &mut Export) {
    let start = datetime!(2024-05-20 12:10:33 UTC);
    let mut c = Conv::new(5, Era::Y2024, start, Some("Weekend in Lyon on a budget"));
    let hidden = c.start();
    let profile = "Vegetarian. Travels by train and prefers walking to taxis.";
    let instructions = "Give prices in euros and keep lists to five items or fewer.";
    let context = json!({
        "content_type": "user_editable_context",
        "user_profile": profile,
        "user_instructions": instructions,
    });
    let data = json!({"about_user_message": profile, "about_model_message": instructions});
    let context = Msg::new("user", context).untimed();
    let context = context.meta("is_visually_hidden_from_conversation", true);
    let context = context.meta("user_context_message_data", data);
    let context = c.add(&hidden, context.meta("is_user_system_message", true));
    let q1 = c.add(
        &context,
        Msg::user(
            "I have a weekend in Lyon next month and about 150 euros to spend, not counting \
             the hotel. What should I prioritise?",
        ),
    );
    let a1 = c.add(&q1, Msg::asst(LYON_PLAN));
    let q2 = c.add(
        &a1,
        Msg::user("How do I ask for the bill, and for a vegetarian dish, politely in French?"),
    );
    c.add(&q2, Msg::asst(LYON_FRENCH));
    x.done(&c);
}

const LYON_PLAN: &str = "Lyon is a great city for a cheap weekend because the best parts are \
outdoors and walkable. Five priorities:\n\n\
1. **Fourvière hill**: walk up through the rose garden for the view over the rooftops (free).\n\
2. **Vieux Lyon and its traboules**: hidden passageways through the old buildings, free to \
explore.\n\
3. **Les Halles market**: browse, then buy cheese and bread for a picnic (about 15 €).\n\
4. **One bouchon dinner**: ask ahead for the vegetarian options; set menus run roughly \
25–35 €.\n\
5. **A day pass for public transport**: around 7 €, and it covers the funicular too.\n\n\
That leaves room in your 150 € for one museum and plenty of coffee stops. ☕";

const LYON_FRENCH: &str = "Here are the phrases you will use most:\n\n\
- « L'addition, s'il vous plaît. » (The bill, please.)\n\
- « Est-ce que vous avez un plat végétarien ? » (Do you have a vegetarian dish?)\n\
- « Je ne mange ni viande ni poisson. » (I eat neither meat nor fish.)\n\
- « C'était délicieux, merci beaucoup ! » (That was delicious, thank you!)\n\
- « Est-ce qu'on peut payer séparément ? » (Can we pay separately?)\n\n\
Start every exchange with « Bonjour » — skipping it comes across as abrupt. 🙂";

fn rust_borrow(x: &mut Export) {
    let start = datetime!(2025-03-09 21:04:18 UTC);
    let title = Some("Rust: borrowing a Vec inside its own loop");
    let mut c = Conv::new(6, Era::Y2025, start, title).model("o3");
    let hidden = c.start();
    let q1 = c.add(&hidden, Msg::user(BORROW_QUESTION));
    let a1 = reasoned(&mut c, &q1, BORROW_THOUGHT, 6, BORROW_ANSWER);
    x.thumbs_up(&c, &a1, c.clock.secs + 95);
    let q2 = "Could I loop over indices instead, like `for i in 0..scores.len()`?";
    let q2 = c.add(&a1, Msg::user(q2));
    reasoned(&mut c, &q2, INDEX_THOUGHT, 4, INDEX_ANSWER);
    x.done(&c);
}

/// Adds `thoughts` → `reasoning_recap` → answer under `parent`; returns the answer's id.
fn reasoned(c: &mut Conv, parent: &str, thought: [&str; 2], secs: u32, answer: &str) -> String {
    let analysis = c.rng.uuid4();
    let thought = json!({
        "summary": thought[0],
        "content": thought[1],
        "chunks": [],
        "finished": true,
    });
    let thoughts = json!({
        "content_type": "thoughts",
        "thoughts": [thought],
        "source_analysis_msg_id": analysis,
    });
    let thoughts = Msg::new("assistant", thoughts).no_end_turn();
    let thoughts = c.add(parent, thoughts.meta("reasoning_status", "is_reasoning"));
    let label = format!("Thought for {secs}s");
    let recap = Msg::new("assistant", json!({"content_type": "reasoning_recap", "content": label}));
    let recap = recap.no_end_turn().meta("reasoning_status", "reasoning_ended");
    let recap = c.add(&thoughts, recap.meta("finished_duration_sec", secs));
    c.add(&recap, Msg::asst(answer))
}

const BORROW_QUESTION: &str = "Why doesn't this compile?\n\n```rust\n\
let mut scores = vec![3, 5, 8];\n\
for s in scores.iter() {\n    if *s > 4 {\n        scores.push(s * 2);\n    }\n}\n```\n\n\
The error says: cannot borrow `scores` as mutable because it is also borrowed as immutable.";

const BORROW_THOUGHT: [&str; 2] = [
    "Spotting the overlapping borrows",
    "The iterator keeps a shared borrow of `scores` alive for the whole loop, and `push` needs \
     a mutable borrow of the same vector. A push could reallocate the buffer the iterator is \
     reading, which is exactly what the rule prevents. Clearest fix: collect the new values \
     first, then extend.",
];

const BORROW_ANSWER: &str = "The iterator returned by `scores.iter()` borrows `scores` for as \
long as the loop runs. Inside the loop, `scores.push(...)` needs a *mutable* borrow of the same \
vector, and Rust allows either many shared borrows or one mutable borrow, never both at once.\n\n\
This isn't pedantry: `push` may reallocate the vector's buffer, which would leave the \
iterator reading freed memory.\n\n\
The usual fix is to compute first and modify afterwards:\n\n```rust\n\
let mut scores = vec![3, 5, 8];\n\
let doubled: Vec<i32> = scores.iter().filter(|s| **s > 4).map(|s| s * 2).collect();\n\
scores.extend(doubled);\n\
assert_eq!(scores, [3, 5, 8, 10, 16]);\n```\n\n\
The shared borrow ends when `collect()` returns, so `extend` is free to borrow mutably.";

const INDEX_THOUGHT: [&str; 2] = [
    "Checking the index-based loop",
    "`0..scores.len()` evaluates the length once, so the range itself holds no borrow. Each \
     `scores[i]` is a short borrow that ends at once, so pushing compiles. The new elements \
     are not visited, which matches the intent.",
];

const INDEX_ANSWER: &str = "Yes. `0..scores.len()` reads the length once, before the loop \
starts, so the range doesn't hold a borrow. Each `scores[i]` is a short borrow that ends \
immediately, leaving you free to push:\n\n```rust\n\
for i in 0..scores.len() {\n    if scores[i] > 4 {\n        let doubled = scores[i] * 2;\n\
        scores.push(doubled);\n    }\n}\n```\n\n\
Because the range was fixed at the start, the pushed elements aren't visited, so you get the \
same result as the `collect` version. I'd still reach for `collect` + `extend` first: it \
states the intent more clearly.";

fn tomato_leaves(x: &mut Export) {
    let start = datetime!(2025-06-14 08:17:45 UTC);
    let title = Some("Brown spots on tomato leaves");
    let mut c = Conv::new(7, Era::Y2025, start, title).model("gpt-4o");
    let hidden = c.start();
    let name = "IMG_20250614_081522.png";
    let (file_id, size) = x.asset(png(32, 24, leaf_pixel), name.to_string());
    let pointer = json!({
        "content_type": "image_asset_pointer",
        "asset_pointer": format!("sediment://{file_id}"),
        "size_bytes": size, "width": 32, "height": 24, "fovea": null,
        "metadata": {"sanitized": true},
    });
    let text = "These spots showed up on the lower leaves after a week of rain. The plant is \
                otherwise growing well. What is it, and should I worry?";
    let attachment = json!({
        "id": file_id,
        "size": size,
        "name": name,
        "mime_type": "image/png",
        "width": 32,
        "height": 24,
        "source": "local",
    });
    let upload = Msg::new("user", multimodal(vec![pointer, text.into()]));
    let upload = c.add(&hidden, upload.meta("attachments", json!([attachment])));
    let a1 = c.add(&upload, Msg::asst(TOMATO_ANSWER));
    let q2 = c.add(&a1, Msg::user("Is it safe to eat the tomatoes from this plant?"));
    c.add(&q2, Msg::asst(TOMATO_SAFE));
    x.library.push(library_row(&mut x.rng, &c, &upload, &file_id, name));
    x.done(&c);
}

fn library_row(rng: &mut Rng, c: &Conv, message: &str, file_id: &str, name: &str) -> Value {
    let stamp = iso(c.created.secs + 40);
    json!({
        "id": {"id": format!("libfile_{}", rng.hex(32))},
        "file_id": file_id,
        "file_name": name,
        "mime_type": "image/png",
        "library_file_category": "image",
        "library_artifact_type": null,
        "library_artifact_subtype": null,
        "origination_message_id": message,
        "origination_thread_id": c.id,
        "initiating_conversation_id": c.id,
        "image_gen_generation_id": null,
        "created_at": stamp,
        "record_creation_time": stamp,
        "version_created_at": stamp,
        "current_version_number": 1,
        "source_version_number": null,
        "state": "active",
    })
}

const TOMATO_ANSWER: &str = "From the photo, brown spots with yellow rings on the oldest, \
lowest leaves look most like **early blight** (septoria leaf spot is the other suspect). Both \
are fungal and spread in wet weather when rain splashes spores up from the soil.\n\n\
It isn't an emergency, but act now:\n\n\
1. Pinch off the spotted leaves and bin them rather than composting them.\n\
2. Remove any leaves touching the soil.\n\
3. Water at the base in the morning, never over the leaves.\n\
4. Spread a layer of mulch (straw or dry grass clippings) under the plant.\n\n\
A healthy plant usually outgrows it if you keep the lower third clear. 🌱";

const TOMATO_SAFE: &str = "Yes. Early blight and septoria damage the leaves; they don't make \
the fruit unsafe. If a tomato itself shows dark, sunken patches, cut that part away or skip \
that one, but the rest of the crop is fine to eat. 🍅";

fn garlic_search(x: &mut Export) {
    let start = datetime!(2025-09-21 16:48:02 UTC);
    let title = Some("When to plant garlic in zone 6");
    let mut c = Conv::new(8, Era::Y2025, start, title).model("gpt-4o");
    let hidden = c.start();
    let q = c.add(&hidden, Msg::user("When should I plant garlic if I'm in USDA zone 6?"));
    let query = "{\"search_query\": [{\"q\": \"when to plant garlic zone 6\"}], \
                 \"response_length\": \"short\"}";
    let call = Msg::new("assistant", code_content("unknown", query));
    let call = c.add(&q, call.to("web.run").chan("commentary"));
    let results = Msg::new("tool", text_content("")).named("web.run");
    let results = results.meta("search_result_groups", garlic_results());
    let results = c.add(&call, results.meta("search_model_queries", garlic_queries()));
    let refs = vec![
        cite_ref(GARLIC_ANSWER, 0, GARLIC_SOURCES[0]),
        cite_ref(GARLIC_ANSWER, 1, GARLIC_SOURCES[1]),
    ];
    let answer = Msg::asst(GARLIC_ANSWER).meta("content_references", refs);
    c.add(&results, answer);
    x.done(&c);
}

/// (title, url, snippet) of the two made-up pages the search found.
const GARLIC_SOURCES: [[&str; 3]; 2] = [
    [
        "Growing garlic in home gardens",
        "https://extension.example.edu/garden/garlic",
        "In zones 5 and 6, plant cloves from early to late October, before the soil freezes.",
    ],
    [
        "Mulching garlic for winter",
        "https://allotment-notes.example.org/garlic-mulch",
        "Cover the bed with about 10 cm of straw once nights are regularly below freezing.",
    ],
];

const GARLIC_ANSWER: &str = "Plant garlic in mid-autumn: in zone 6 that usually means **early \
to late October**, a few weeks before the ground freezes. \u{E200}cite\u{E202}turn0search0\
\u{E201} The cloves should grow roots, but not much green top, before winter.\n\n\
A few tips:\n\n\
- Plant cloves pointy end up, about 5 cm deep and 15 cm apart.\n\
- Mulch with about 10 cm of straw once the nights turn cold. \u{E200}cite\u{E202}turn0search1\
\u{E201}\n\
- Harvest next summer, when the lower third of the leaves has turned brown.";

fn garlic_results() -> Value {
    let groups = GARLIC_SOURCES.iter().enumerate().map(|(i, [title, url, snippet])| {
        let domain = url.split('/').nth(2).unwrap_or_default();
        let entry = json!({
            "type": "search_result", "url": *url, "title": *title, "snippet": *snippet,
            "ref_id": {"turn_index": 0, "ref_type": "search", "ref_index": i},
            "pub_date": null, "attribution": domain,
        });
        json!({"type": "search_result_group", "domain": domain, "entries": [entry]})
    });
    groups.collect()
}

fn garlic_queries() -> Value {
    json!({"type": "search_model_queries", "queries": ["when to plant garlic zone 6"]})
}

/// A `grouped_webpages` reference for the citation token `turn0search{index}` in `text`.
/// Offsets count Unicode scalar values.
fn cite_ref(text: &str, index: usize, [title, url, snippet]: [&str; 3]) -> Value {
    let token = format!("\u{E200}cite\u{E202}turn0search{index}\u{E201}");
    let byte_start = text.find(&token).expect("citation token present");
    let start = text[..byte_start].chars().count();
    let end = start + token.chars().count();
    let domain = url.split('/').nth(2).unwrap_or_default();
    let refs = json!([{"turn_index": 0, "ref_type": "search", "ref_index": index}]);
    let item = json!({
        "title": title,
        "url": url,
        "pub_date": null,
        "snippet": snippet,
        "attribution": domain,
        "supporting_websites": [],
        "refs": refs.clone(),
    });
    json!({
        "matched_text": token, "start_idx": start, "end_idx": end,
        "alt": format!("([{domain}]({url}))"), "type": "grouped_webpages",
        "items": [item], "refs": refs, "prompt_text": null,
        "safe_urls": [url], "fallback_items": null, "invalid": false,
    })
}

const RAMEN_TURNS: [(&str, &str); 3] = [
    (
        "I'm going to a ramen shop in Tokyo next week. How do I ask what they recommend?",
        "You can say 「おすすめは何ですか？」, osusume wa nan desu ka, which means \"what do you \
         recommend?\". Many shops have a ticket machine by the door, and the top-left button \
         is often the house special.",
    ),
    (
        "And if I want the noodles firm?",
        "Say 「麺かためでお願いします」, men katame de onegaishimasu. Some shops let you choose \
         soft, regular or firm, and katame means firm.",
    ),
    (
        "What do I say when I leave?",
        "「ごちそうさまでした」, gochisōsama deshita. It thanks them for the meal, and the staff \
         will usually reply with a smile. Enjoy your ramen! 🍜",
    ),
];

fn ramen_voice(x: &mut Export) {
    let start = datetime!(2025-08-30 11:26:09 UTC);
    let title = Some("Ordering ramen in Tokyo 🍜");
    let mut c = Conv::new(9, Era::Y2025, start, title).model("gpt-4o");
    c = c.field("voice", "ember");
    let mut parent = c.start();
    let mut offset = 0.0;
    for (i, (said, replied)) in RAMEN_TURNS.iter().enumerate() {
        let seconds = 1.5 + i as f64 * 0.5;
        let clip = voice_clip(x, &c, 2400 + 400 * i as u32, offset, seconds);
        let user = user_voice_turn(said, clip, &iso(c.clock.secs + 30 * 86_400));
        parent = c.add(&parent, user);
        offset += seconds;
        let clip = voice_clip(x, &c, 3600 + 400 * i as u32, offset, seconds + 2.0);
        let reply = assistant_voice_turn(replied, clip, &iso(c.clock.secs + 30 * 86_400));
        parent = c.add(&parent, reply);
        offset += seconds + 2.0;
    }
    x.done(&c);
}

/// Adds a WAV asset and returns its `audio_asset_pointer` part (expiry filled in later).
fn voice_clip(x: &mut Export, c: &Conv, samples: u32, start: f64, len: f64) -> Value {
    let name = format!("{}/audio/{}.wav", c.id, x.rng.uuid4());
    let period = 16 + samples % 11;
    let (file_id, size) = x.asset(wav(samples, period), name);
    let meta = json!({
        "start_timestamp": null, "end_timestamp": null, "pretokenized_vq": null,
        "interruptions": null, "original_audio_source": null, "transcription": null,
        "word_transcription": null,
        "start": start, "end": start + len,
    });
    json!({
        "content_type": "audio_asset_pointer",
        "asset_pointer": format!("sediment://{file_id}"),
        "size_bytes": size, "format": "wav", "expiry_datetime": null,
        "tool_audio_direction": null, "metadata": meta,
    })
}

fn transcription(text: &str, direction: &str) -> Value {
    json!({
        "content_type": "audio_transcription",
        "text": text,
        "direction": direction,
        "decoding_id": null,
    })
}

fn user_voice_turn(text: &str, mut clip: Value, expiry: &str) -> Msg {
    clip["expiry_datetime"] = json!(expiry);
    let wrapper = json!({
        "content_type": "real_time_user_audio_video_asset_pointer",
        "expiry_datetime": expiry,
        "frames_asset_pointers": [],
        "video_container_asset_pointer": null,
        "audio_asset_pointer": clip,
        "audio_start_timestamp": 0.0,
    });
    let m = Msg::new("user", multimodal(vec![transcription(text, "in"), wrapper]));
    m.meta("voice_mode_message", true).meta("real_time_audio_has_video", false)
}

fn assistant_voice_turn(text: &str, mut clip: Value, expiry: &str) -> Msg {
    clip["expiry_datetime"] = json!(expiry);
    clip["tool_audio_direction"] = json!("outgoing");
    let m = Msg::new("assistant", multimodal(vec![transcription(text, "out"), clip]));
    m.meta("voice_mode_message", true)
}

fn pantry_project(x: &mut Export) {
    let start = datetime!(2025-10-02 17:55:21 UTC);
    let title = Some("Pantry shelves: materials and cost");
    let mut c = Conv::new(10, Era::Y2025, start, title).model("gpt-5");
    let project = format!("g-p-{}", c.rng.hex(32));
    c = c.field("gizmo_id", project).field("gizmo_type", "snorlax");
    c = c.field("memory_scope", "project_enabled");
    let hidden = c.start();
    let q1 = c.add(
        &hidden,
        Msg::user(
            "For the pantry project: I want three shelves, 90 cm wide and 30 cm deep, on a \
             wall with studs. What do I need to buy, and roughly what will it cost?",
        ),
    );
    let a1 = c.add(&q1, Msg::asst(PANTRY_LIST).chan("final"));
    let q2 = c.add(&a1, Msg::user("Could I do it for under 60 if I use leftover wood?"));
    c.add(&q2, Msg::asst(PANTRY_CHEAPER).chan("final"));
    x.done(&c);
}

const PANTRY_LIST: &str = "Here's a materials list for three 90 × 30 cm shelves on studs:\n\n\
| Item | Qty | Approx. cost |\n\
|---|---|---|\n\
| Pine board, 18 mm, 30 × 90 cm | 3 | 36 € |\n\
| Heavy-duty shelf brackets | 6 | 24 € |\n\
| Wood screws 5 × 50 mm (into the studs) | 12 | 4 € |\n\
| Short screws 4 × 16 mm (board to bracket) | 24 | 3 € |\n\
| Sandpaper and a small tin of hardwax oil | 1 | 15 € |\n\n\
**Total: about 82 €.**\n\n\
Fix two brackets per shelf into studs, and leave 30–35 cm between shelves so cereal boxes \
and tall jars fit.";

const PANTRY_CHEAPER: &str = "Probably. If the leftover boards are at least 18 mm thick and \
straight, you save the 36 € for new pine and land at about 46 €. Check for warping by laying \
each board on the floor: a bowed board looks crooked once it's loaded. Spend part of the \
savings on sturdy brackets, since they carry the weight.";

fn grocery_budget(x: &mut Export) {
    let start = datetime!(2026-01-11 10:02:47 UTC);
    let mut c = Conv::new(11, Era::Y2026, start, Some("Grocery budget for two 🛒"));
    let root = c.start();
    let q1 = c.add(
        &root,
        Msg::user(
            "We're two adults trying to keep groceries under 400 a month. Can you give me a \
             simple weekly plan?",
        ),
    );
    let a1 = c.add(&q1, Msg::asst(GROCERY_PLAN));
    let q2 = c.add(&a1, Msg::user("Yes please, mostly vegetarian."));
    c.add(&q2, Msg::asst(GROCERY_LIST));
    x.done(&c);
}

const GROCERY_PLAN: &str = "Sure! 400 a month is roughly 92 a week. A simple way to stay \
under it:\n\n\
1. **Plan five dinners**, not seven; leftovers and one pantry meal cover the rest.\n\
2. **Shop once a week** with a list, after checking what's already in the fridge.\n\
3. **Build meals around cheap staples:** rice, pasta, oats, eggs, beans, lentils and frozen \
vegetables.\n\
4. **Cap treats** at about 10 a week so they don't quietly eat the budget.\n\
5. **Keep the receipts** and add them up on Sunday; a weekly total is enough.\n\n\
Would you like a sample shopping list for one week? 🛒";

const GROCERY_LIST: &str = "Here's one week for two, about 85 in total:\n\n\
- Oats, milk, bananas and apples for breakfasts\n\
- 1 kg rice, 1 kg pasta, 500 g red lentils, two tins of chickpeas\n\
- 12 eggs, a block of cheese, a big pot of yoghurt\n\
- Onions, garlic, carrots, potatoes, a cabbage and a bag of spinach\n\
- Frozen peas and a bag of mixed frozen vegetables\n\
- Four tins of tomatoes, stock cubes and a jar of curry paste\n\n\
Dinners: lentil curry, pasta with tomato and spinach, egg fried rice, chickpea and potato \
stew, and a cabbage and cheese bake. 🥕";

fn iterator_speed(x: &mut Export) {
    let start = datetime!(2026-02-17 19:40:05 UTC);
    let title = Some("Iterator chains vs for loops in Rust");
    let mut c = Conv::new(12, Era::Y2026, start, title).model("gpt-5-thinking");
    let root = c.start();
    let q = c.add(
        &root,
        Msg::user(
            "In Rust, is `v.iter().filter(..).map(..).sum()` slower than writing the same \
             thing as a for loop?",
        ),
    );
    reasoned(&mut c, &q, ITER_THOUGHT, 5, ITER_ANSWER);
    x.done(&c);
}

const ITER_THOUGHT: [&str; 2] = [
    "Comparing iterator chains with loops",
    "Adapters are generic and get inlined in optimised builds, so the chain usually compiles \
     to the same machine code as the loop, sometimes better because bounds checks disappear. \
     Worth mentioning that debug builds are slower and that measuring beats guessing.",
];

const ITER_ANSWER: &str = "Usually not. In a release build the adapters are inlined, and the \
chain compiles down to essentially the loop you would write by hand. Sometimes it's even \
faster, because iterating avoids the bounds checks that `v[i]` indexing needs.\n\n\
Two caveats:\n\n\
- In **debug builds** iterator chains can be noticeably slower, since nothing is inlined.\n\
- If it really matters, measure it with a benchmark instead of guessing.\n\n\
Pick whichever reads better; for filter, map and sum that's usually the chain.";

fn kyoto_rain(x: &mut Export) {
    let start = datetime!(2026-03-28 06:12:58 UTC);
    let title = Some("Packing for a rainy week in Kyoto ☔");
    let mut c = Conv::new(13, Era::Y2026, start, title).model("gpt-5-2");
    let root = c.start();
    let q1 = c.add(
        &root,
        Msg::user(
            "I'm spending a week in Kyoto in June, which I hear is the rainy season. What \
             should I pack, and what is good to do when it rains?",
        ),
    );
    let a1 = c.add(&q1, Msg::asst(KYOTO_PACKING));
    let q2 = c.add(&a1, Msg::user("How do I say \"it's raining a lot today\" in Japanese?"));
    c.add(&q2, Msg::asst(KYOTO_PHRASE));
    x.done(&c);
}

const KYOTO_PACKING: &str = "June is tsuyu (梅雨), the rainy season, so expect warm, humid \
days with frequent showers. ☔\n\n\
Pack:\n\n\
- A compact umbrella (傘, kasa); convenience stores sell cheap ones too\n\
- Quick-drying clothes and a light rain jacket\n\
- Shoes you don't mind getting wet, plus a spare pair\n\
- A small towel, which is handy in the humidity\n\n\
Rainy-day ideas:\n\n\
1. Moss gardens, which look their best in the rain\n\
2. Nishiki Market (錦市場), a covered street of food stalls\n\
3. A tea ceremony or a matcha tasting\n\
4. Museums and the long covered shopping arcades downtown";

const KYOTO_PHRASE: &str = "「今日は雨がたくさん降っていますね。」 Kyō wa ame ga takusan futte \
imasu ne. The 「ね」 at the end turns it into friendly small talk, like \"isn't it?\". A \
shorter version is 「よく降りますね」 (yoku furimasu ne).";

fn wheel_truing(x: &mut Export) {
    let start = datetime!(2026-04-19 15:33:20 UTC);
    let mut c = Conv::new(14, Era::Y2026, start, Some("Truing a wobbly bike wheel"));
    let root = c.start();
    let q = c.add(
        &root,
        Msg::user(
            "My rear wheel wobbles side to side by about 3 mm and rubs the brake pad. Can I \
             fix that at home without a truing stand?",
        ),
    );
    let first = c.add(&q, Msg::asst(TRUING_STEPS));
    c.add(&q, Msg::asst(TRUING_SHORT));
    c.select(&first);
    x.done(&c);
}

const TRUING_STEPS: &str = "Yes, a 3 mm wobble is usually fixable at home with a spoke \
wrench.\n\n\
1. Turn the bike upside down, or hang it so the wheel spins freely.\n\
2. Use a brake pad (or a zip tie round the frame) as a pointer.\n\
3. Spin the wheel slowly and find where the rim swings towards the pointer.\n\
4. There, tighten the spoke pulling towards the far side by a quarter turn, and loosen its \
neighbour on the near side by a quarter turn.\n\
5. Repeat in small steps: quarter turns, never more.\n\n\
If a spoke is broken or the rim is dented, take it to a shop instead. 🔧";

const TRUING_SHORT: &str = "Often, yes. Get a spoke wrench that fits your nipples (check the \
size first) and use the brake pad as a guide: where the rim touches it, tighten the spokes \
on the opposite side a little and loosen the ones on the near side. Work in quarter turns, \
and stop if you find a broken spoke or a bent rim.";

// ---------------------------------------------------------------------------------------------
// Side files, manifest and the ZIP itself.

fn side_files(x: &Export) -> Res<Vec<(String, Vec<u8>)>> {
    let user = json!({
        "id": x.user_id, "email": "sam.okafor@example.com", "chatgpt_plus_user": true,
        "phone_number": null, "birth_year": 1991,
    });
    let settings = json!({
        "language": "en-GB", "theme": "dark", "memory_enabled": true,
        "voice": "ember", "training_allowed": false,
    });
    let names = x.assets.iter().map(|a| (format!("{}.dat", a.file_id), json!(a.original_name)));
    let names: Map<String, Value> = names.collect();
    Ok(vec![
        ("conversation_asset_file_names.json".into(), serde_json::to_vec(&names)?),
        ("library_files.json".into(), serde_json::to_vec(&x.library)?),
        ("message_feedback.json".into(), serde_json::to_vec(&x.feedback)?),
        ("model_comparisons.json".into(), serde_json::to_vec(&json!([]))?),
        ("shared_conversations.json".into(), serde_json::to_vec(&x.shares)?),
        ("user.json".into(), serde_json::to_vec(&user)?),
        ("user_settings.json".into(), serde_json::to_vec(&settings)?),
    ])
}

/// Newest conversations first, the first `FIRST_SHARD` of them in shard 000.
fn shards(x: &mut Export) -> Res<Vec<(String, Vec<u8>)>> {
    const FIRST_SHARD: usize = 8;
    x.conversations.sort_by_key(|(order, _)| std::cmp::Reverse(*order));
    let all: Vec<&Value> = x.conversations.iter().map(|(_, conv)| conv).collect();
    let (first, second) = all.split_at(FIRST_SHARD.min(all.len()));
    Ok(vec![
        ("conversations-000.json".into(), serde_json::to_vec(first)?),
        ("conversations-001.json".into(), serde_json::to_vec(second)?),
    ])
}

fn manifest(members: &[(String, Vec<u8>)]) -> Res<Vec<u8>> {
    let files =
        members.iter().map(|(path, bytes)| json!({"path": path, "size_bytes": bytes.len()}));
    let files: Vec<Value> = files.collect();
    let shard_names = members.iter().filter(|(p, _)| p.starts_with("conversations-"));
    let shard_names: Vec<&str> = shard_names.map(|(p, _)| p.as_str()).collect();
    let manifest = json!({
        "version": 1,
        "export_files": files,
        "logical_files": {"conversations.json": {"files": shard_names}},
    });
    Ok(serde_json::to_vec(&manifest)?)
}

fn members(x: &mut Export) -> Res<Vec<(String, Vec<u8>)>> {
    let mut members = shards(x)?;
    members.extend(side_files(x)?);
    for asset in &x.assets {
        members.push((format!("{}.dat", asset.file_id), asset.bytes.clone()));
    }
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let manifest = manifest(&members)?;
    let at = members.partition_point(|(p, _)| p.as_str() < "export_manifest.json");
    members.insert(at, ("export_manifest.json".into(), manifest));
    Ok(members)
}

fn write_zip(path: &PathBuf, members: &[(String, Vec<u8>)]) -> Res<u64> {
    let file = std::fs::File::create(path)?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::from_date_and_time(2026, 8, 14, 9, 30, 0)?)
        .unix_permissions(0o644);
    for (name, bytes) in members {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn main() -> Res<()> {
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/sample-export.zip");
    let out = std::env::args_os().nth(1).map_or(default, PathBuf::from);
    let mut x = Export::new();
    let builders: [fn(&mut Export); 14] = [
        lentil_soup,
        bike_chain,
        cabin_costs,
        boiled_egg,
        lyon_weekend,
        rust_borrow,
        tomato_leaves,
        garlic_search,
        ramen_voice,
        pantry_project,
        grocery_budget,
        iterator_speed,
        kyoto_rain,
        wheel_truing,
    ];
    for build in builders {
        build(&mut x);
    }
    let members = members(&mut x)?;
    let size = write_zip(&out, &members)?;
    println!("wrote {}", out.display());
    println!("conversations: {}", x.conversations.len());
    println!("nodes:         {}", x.nodes);
    println!("messages:      {}", x.messages);
    println!("members:       {} ({} assets)", members.len(), x.assets.len());
    println!("file size:     {size} bytes");
    Ok(())
}
