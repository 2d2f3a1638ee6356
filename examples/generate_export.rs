//! Generates large, realistic, synthetic ChatGPT export ZIPs for benchmarks.
//!
//! ```text
//! cargo run --release --example generate_export -- --out PATH --megabytes N \
//!     [--seed S] [--shards K] [--attachments-megabytes M]
//! ```
//!
//! * `--out PATH` – the ZIP to write (overwritten).
//! * `--megabytes N` – about how much conversation JSON to write, uncompressed
//!   (1 MB = 1,048,576 bytes; fractions such as `0.5` are accepted).
//! * `--seed S` – PRNG seed (default 1). The same arguments always give the same bytes.
//! * `--shards K` – `0` or absent: one `conversations.json` (2023–2025 layout). `K > 0`:
//!   `conversations-000.json` … listed in order by `export_manifest.json` (2026 layout).
//! * `--attachments-megabytes M` – add about M MB of small PNG members `file_<hex>.dat`,
//!   each referenced by an `image_asset_pointer` part of a user message.
//!
//! Conversations are spread over 2023–2026 and take that era's shape: system roots and
//! `aaa2…` user ids (2023), message-less roots with hidden system nodes (2024–2025) and slim
//! nodes without `children`, `status` or `weight` (2026). They hold 2–200 messages, about 15%
//! have a regenerated answer or an edited question, and they include code-interpreter chains
//! with `execution_output`, reasoning `thoughts`, voice turns with audio pointers (the audio
//! itself is not shipped, as with expired clips), web answers with citation tokens, projects,
//! custom instructions, and text in English, French and Japanese built from word lists.
//!
//! Memory stays small: each conversation is built, serialised and written straight into the
//! open ZIP entry. A second thread generates while the main thread compresses. Totals are
//! printed on stderr at the end.

use std::error::Error;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

use serde_json::{Map, Value, json};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

type Res<T> = Result<T, Box<dyn Error>>;

const MIB: f64 = 1_048_576.0;

/// Messages per conversation, and the most one turn can add (an edited question with its
/// abandoned answer chain, then the new question and its chain).
const MAX_MESSAGES: usize = 200;
const MAX_TURN_NODES: usize = 16;

/// At most this many uploads are listed in `library_files.json`.
const LIBRARY_ROWS: usize = 50;

const USAGE: &str = "usage: generate_export --out PATH --megabytes N [--seed S] [--shards K] \
                     [--attachments-megabytes M]";

// ---------------------------------------------------------------------------------------------
// Command line.

struct Args {
    out: PathBuf,
    json_bytes: u64,
    seed: u64,
    shards: usize,
    attachment_bytes: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut out, mut megabytes, mut seed, mut shards, mut attach) = (None, None, 1, 0, 0.0);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let bad = || format!("bad value for {flag}: {value}");
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(&value)),
            "--megabytes" => megabytes = Some(value.parse::<f64>().map_err(|_| bad())?),
            "--seed" => seed = value.parse().map_err(|_| bad())?,
            "--shards" => shards = value.parse().map_err(|_| bad())?,
            "--attachments-megabytes" => attach = value.parse::<f64>().map_err(|_| bad())?,
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    let out = out.ok_or("--out is required")?;
    let megabytes = megabytes.ok_or("--megabytes is required")?;
    if !(megabytes > 0.0 && attach >= 0.0) {
        return Err("sizes must be positive".into());
    }
    let json_bytes = (megabytes * MIB) as u64;
    let attachment_bytes = (attach * MIB) as u64;
    Ok(Args { out, json_bytes, seed, shards, attachment_bytes })
}

// ---------------------------------------------------------------------------------------------
// Randomness, ids and timestamps.

/// splitmix64.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn fork(&mut self) -> Rng {
        Rng(self.next())
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks with a skew towards the start of the list, so some words are much more common.
    fn skewed<T: Copy>(&mut self, items: &[T]) -> T {
        let u = self.unit();
        items[((u * u) * items.len() as f64) as usize]
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }

    fn uuid_tail(&mut self, version: char) -> String {
        let (b, c) = (self.hex(4), self.hex(3));
        let v = ['8', '9', 'a', 'b'][self.below(4) as usize];
        let (d, e) = (self.hex(3), self.hex(12));
        format!("{b}-{version}{c}-{v}{d}-{e}")
    }

    fn uuid4(&mut self) -> String {
        let head = self.hex(8);
        format!("{head}-{}", self.uuid_tail('4'))
    }

    /// 2025+ ids start with the creation time in hex.
    fn time_id(&mut self, secs: i64) -> String {
        format!("{secs:08x}-{}", self.uuid_tail('8'))
    }
}

/// Epoch seconds with a 6- or 7-digit fractional part, like the float timestamps of an export.
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
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rem / 3600, rem / 60 % 60, rem % 60);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.000000+00:00")
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

// ---------------------------------------------------------------------------------------------
// Vocabulary. Sentences are built from tag patterns; topic nouns dominate each conversation.

struct Topic {
    nouns: &'static [&'static str],
    code: bool,
}

const TOPICS: &[Topic] = &[
    Topic { nouns: COOKING, code: false },
    Topic { nouns: TRAVEL, code: false },
    Topic { nouns: BIKES, code: false },
    Topic { nouns: RUST, code: true },
    Topic { nouns: GARDEN, code: false },
    Topic { nouns: BUDGET, code: true },
    Topic { nouns: FITNESS, code: false },
    Topic { nouns: MUSIC, code: false },
    Topic { nouns: HOME, code: false },
    Topic { nouns: PETS, code: false },
    Topic { nouns: PHOTO, code: false },
    Topic { nouns: LANGUAGE, code: false },
];

const COOKING: &[&str] = &[
    "soup",
    "lentils",
    "onion",
    "garlic",
    "oven",
    "pan",
    "recipe",
    "dough",
    "bread",
    "rice",
    "pasta",
    "sauce",
    "spinach",
    "tomato",
    "lemon",
    "butter",
    "flour",
    "yeast",
    "curry",
    "salad",
    "stock",
    "skillet",
    "marinade",
    "spice",
    "cumin",
    "chickpeas",
    "noodles",
    "dumplings",
    "omelette",
    "risotto",
    "casserole",
    "starter",
];
const TRAVEL: &[&str] = &[
    "train",
    "ticket",
    "station",
    "hotel",
    "hostel",
    "itinerary",
    "museum",
    "passport",
    "luggage",
    "backpack",
    "flight",
    "ferry",
    "map",
    "neighbourhood",
    "market",
    "beach",
    "mountain",
    "platform",
    "timetable",
    "guidebook",
    "souvenir",
    "harbour",
    "trail",
    "airport",
    "tram",
    "bridge",
    "castle",
    "village",
    "layover",
    "sleeper",
];
const BIKES: &[&str] = &[
    "chain",
    "cassette",
    "derailleur",
    "spoke",
    "rim",
    "tyre",
    "brake",
    "pad",
    "saddle",
    "crank",
    "pedal",
    "cable",
    "hub",
    "bearing",
    "frame",
    "fork",
    "handlebar",
    "tube",
    "valve",
    "sprocket",
    "chainring",
    "cog",
    "wrench",
    "lever",
    "pump",
    "patch",
    "axle",
    "headset",
    "mudguard",
    "pannier",
];
const RUST: &[&str] = &[
    "borrow",
    "lifetime",
    "iterator",
    "closure",
    "trait",
    "struct",
    "enum",
    "vector",
    "slice",
    "string",
    "reference",
    "compiler",
    "crate",
    "module",
    "macro",
    "generic",
    "pattern",
    "match",
    "result",
    "option",
    "thread",
    "mutex",
    "channel",
    "allocation",
    "buffer",
    "parser",
    "benchmark",
    "test",
    "cargo",
    "clippy",
    "serializer",
    "future",
];
const GARDEN: &[&str] = &[
    "seed",
    "soil",
    "compost",
    "mulch",
    "tomato",
    "bean",
    "squash",
    "lettuce",
    "basil",
    "seedling",
    "bed",
    "trellis",
    "pot",
    "root",
    "leaf",
    "stem",
    "blossom",
    "aphid",
    "slug",
    "weed",
    "hose",
    "shade",
    "frost",
    "fertiliser",
    "potato",
    "harvest",
    "rake",
    "greenhouse",
    "allotment",
    "courgette",
];
const BUDGET: &[&str] = &[
    "budget",
    "savings",
    "rent",
    "salary",
    "expense",
    "invoice",
    "receipt",
    "account",
    "loan",
    "interest",
    "spreadsheet",
    "category",
    "subscription",
    "bill",
    "grocery",
    "utility",
    "deposit",
    "fund",
    "pension",
    "mortgage",
    "insurance",
    "tax",
    "refund",
    "balance",
    "payment",
    "transfer",
    "allowance",
    "forecast",
    "goal",
    "debt",
];
const FITNESS: &[&str] = &[
    "run",
    "pace",
    "stretch",
    "squat",
    "plank",
    "interval",
    "warmup",
    "cooldown",
    "hydration",
    "shoe",
    "kilometre",
    "tempo",
    "heart rate",
    "recovery",
    "muscle",
    "knee",
    "hamstring",
    "routine",
    "session",
    "rest day",
    "split",
    "race",
    "marathon",
    "yoga",
    "posture",
    "breath",
    "core",
    "shoulder",
    "hill",
    "stopwatch",
];
const MUSIC: &[&str] = &[
    "guitar",
    "chord",
    "scale",
    "rhythm",
    "metronome",
    "string",
    "fret",
    "capo",
    "melody",
    "song",
    "lyric",
    "bar",
    "note",
    "key",
    "piano",
    "practice",
    "riff",
    "harmony",
    "tuner",
    "amplifier",
    "ukulele",
    "choir",
    "verse",
    "chorus",
    "drum",
    "beat",
    "songbook",
    "pick",
    "recital",
    "sight-reading",
];
const HOME: &[&str] = &[
    "shelf", "wall", "stud", "drill", "screw", "anchor", "paint", "primer", "brush", "roller",
    "hinge", "door", "window", "draught", "sealant", "tile", "grout", "tap", "washer", "leak",
    "pipe", "socket", "bulb", "ladder", "sander", "plank", "bracket", "cabinet", "drawer",
    "radiator",
];
const PETS: &[&str] = &[
    "dog",
    "puppy",
    "cat",
    "kitten",
    "leash",
    "collar",
    "treat",
    "crate",
    "vet",
    "walk",
    "litter",
    "scratcher",
    "toy",
    "kibble",
    "bowl",
    "groomer",
    "flea",
    "harness",
    "whistle",
    "trick",
    "carrier",
    "vaccine",
    "tail",
    "paw",
    "nap",
    "fur",
    "kennel",
    "hamster",
    "aquarium",
    "budgie",
];
const PHOTO: &[&str] = &[
    "camera",
    "lens",
    "aperture",
    "shutter",
    "exposure",
    "tripod",
    "sensor",
    "focus",
    "portrait",
    "landscape",
    "filter",
    "flash",
    "histogram",
    "raw file",
    "crop",
    "frame",
    "light",
    "shadow",
    "composition",
    "zoom",
    "prime",
    "bokeh",
    "grain",
    "contrast",
    "white balance",
    "sunset",
    "preset",
    "memory card",
    "battery",
    "viewfinder",
];
const LANGUAGE: &[&str] = &[
    "vocabulary",
    "grammar",
    "verb",
    "tense",
    "accent",
    "pronunciation",
    "flashcard",
    "lesson",
    "phrase",
    "sentence",
    "conjugation",
    "dictionary",
    "noun",
    "article",
    "particle",
    "kanji",
    "hiragana",
    "listening",
    "reading",
    "exam",
    "tutor",
    "podcast",
    "dialogue",
    "idiom",
    "greeting",
    "exercise",
    "mistake",
    "streak",
    "notebook",
    "subjunctive",
];

const GENERAL_NOUNS: &[&str] = &[
    "time",
    "week",
    "plan",
    "idea",
    "problem",
    "step",
    "way",
    "list",
    "question",
    "answer",
    "minute",
    "hour",
    "weekend",
    "morning",
    "evening",
    "friend",
    "family",
    "kitchen",
    "city",
    "budget",
    "morning routine",
    "checklist",
    "option",
    "detail",
    "price",
    "habit",
    "result",
    "version",
    "neighbour",
    "colleague",
];
const ADJECTIVES: &[&str] = &[
    "quick",
    "simple",
    "cheap",
    "old",
    "new",
    "small",
    "large",
    "heavy",
    "light",
    "slow",
    "rainy",
    "warm",
    "cold",
    "fresh",
    "dry",
    "wet",
    "loose",
    "tight",
    "noisy",
    "quiet",
    "easy",
    "tricky",
    "safe",
    "useful",
    "broken",
    "worn",
    "clean",
    "sturdy",
    "bright",
    "soft",
    "long",
    "short",
    "early",
    "late",
    "spare",
    "basic",
    "careful",
    "steady",
    "weekly",
    "monthly",
    "daily",
    "rough",
    "smooth",
    "stubborn",
    "gentle",
    "strong",
    "reliable",
    "expensive",
    "flexible",
    "sensible",
];
const VERBS: &[&str] = &[
    "check", "fix", "replace", "add", "remove", "measure", "compare", "keep", "try", "adjust",
    "tighten", "loosen", "clean", "store", "plan", "cook", "bake", "mix", "cut", "test", "track",
    "save", "book", "pack", "water", "plant", "prune", "train", "practise", "tune", "record",
    "paint", "sand", "feed", "edit", "learn", "review", "repeat", "write", "read", "build", "move",
    "start", "finish", "avoid", "use", "need", "prefer", "swap", "sort",
];
const DETERMINERS: &[&str] =
    &["the", "the", "the", "a", "your", "my", "this", "that", "each", "every", "one", "another"];
const PREPOSITIONS: &[&str] = &[
    "with", "without", "for", "on", "in", "under", "over", "after", "before", "near", "between",
    "around", "into", "from", "about",
];
const ADVERBS: &[&str] = &[
    "usually",
    "often",
    "gently",
    "slowly",
    "carefully",
    "first",
    "probably",
    "really",
    "always",
    "rarely",
    "still",
    "already",
    "simply",
    "regularly",
    "mostly",
];
const CONJUNCTIONS: &[&str] = &["and", "but", "so", "because", "while", "although"];
const SUBJECTS: &[&str] = &["I", "you", "we", "they", "you"];

/// Tags: D determiner, A adjective, N noun, V verb, P preposition, R adverb, C conjunction,
/// S subject, # number. Anything else is copied as is; `,` and `?` attach to the last word.
const STATEMENTS: &[&str] = &[
    "S R V D A N P D N",
    "D N is R A , C S V D N",
    "V D N P D A N , then V D N",
    "if D N is A , V D N P # minutes",
    "S V to V D A N P D N",
    "D A N and D N need A attention",
    "D N should be A , but D N is R A",
    "keep D N A and V D N P D N",
    "S R V D N # times a week",
    "a A N works well P D N",
    "most people V D N P D A N",
    "S can V D N R , C D N stays A",
];
const QUESTIONS: &[&str] = &[
    "how do S V D N P D A N ?",
    "is D A N A enough for D N ?",
    "can S V D N without D N ?",
    "what is D A way to V D N ?",
    "should S V D N or V D N first ?",
    "why does D N get A P D N ?",
    "how often should S V D A N ?",
    "which N is better for D A N ?",
];

const FR_NOUNS: &[&str] = &[
    "vélo",
    "chaîne",
    "marché",
    "fenêtre",
    "jardin",
    "cuisine",
    "recette",
    "gâteau",
    "forêt",
    "château",
    "été",
    "hiver",
    "café",
    "thé",
    "pâtes",
    "légumes",
    "fromage",
    "boulangerie",
    "gare",
    "billet",
    "hôtel",
    "musée",
    "élève",
    "leçon",
    "clé",
    "frein",
    "épicerie",
    "crème",
    "quartier",
    "randonnée",
];
const FR_ADJECTIVES: &[&str] = &[
    "petit",
    "grand",
    "léger",
    "frais",
    "chaud",
    "froid",
    "prêt",
    "facile",
    "délicieux",
    "ancien",
    "rapide",
    "pratique",
    "abîmé",
    "célèbre",
];
const FR_VERBS: &[&str] = &[
    "vérifier",
    "réparer",
    "préparer",
    "acheter",
    "réserver",
    "nettoyer",
    "arroser",
    "changer",
    "goûter",
    "apprendre",
    "régler",
    "emporter",
];
const FR_DETERMINERS: &[&str] = &["le", "la", "un", "une", "ce", "notre", "votre"];
const FR_PREPOSITIONS: &[&str] = &["dans", "avec", "pour", "sur", "près de", "après", "avant"];
const FR_ADVERBS: &[&str] = &["très", "assez", "déjà", "souvent", "toujours", "vraiment"];
const FR_STATEMENTS: &[&str] = &[
    "D N est R A P D N",
    "il faut V D N P D N",
    "je voudrais V D N A , s'il vous plaît",
    "D N reste A , mais D N est R A",
    "on peut V D N P D N",
];
const FR_QUESTIONS: &[&str] =
    &["où est D N ?", "est-ce que D N est A ?", "faut-il V D N P D N ?", "combien coûte D N ?"];

const JA_NOUNS: &[&str] = &[
    "天気",
    "料理",
    "電車",
    "自転車",
    "庭",
    "予算",
    "旅行",
    "本",
    "駅",
    "時間",
    "野菜",
    "写真",
    "音楽",
    "部屋",
    "仕事",
    "散歩",
    "犬",
    "猫",
    "言葉",
    "練習",
    "朝ご飯",
    "切符",
    "公園",
    "傘",
];
const JA_ADJECTIVES: &[&str] =
    &["新しい", "古い", "安い", "高い", "難しい", "暖かい", "静かな", "便利な", "簡単な"];
const JA_VERBS: &[&str] = &[
    "食べます",
    "行きます",
    "見ます",
    "作ります",
    "使います",
    "買います",
    "直します",
    "調べます",
    "練習します",
    "待ちます",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    English,
    French,
    Japanese,
}

const TITLE_PATTERNS: &[&str] = &[
    "Help with my N",
    "Choosing a A N",
    "N and N",
    "Fixing a A N",
    "Why is my N so A?",
    "Weekly N plan",
    "Questions about the N",
    "A N ideas",
    "N vs N",
    "Planning the N",
    "Quick N question",
    "Getting started with N",
];

// ---------------------------------------------------------------------------------------------
// Eras and models.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Era {
    Y2023,
    Y2024,
    Y2025,
    Y2026,
}

const FIRST_SECOND: i64 = 1_672_531_200; // 2023-01-01
const LAST_SECOND: i64 = 1_790_812_800; // 2026-10-01

fn era_of(secs: i64) -> Era {
    if secs < 1_714_521_600 {
        Era::Y2023 // before May 2024
    } else if secs < 1_735_689_600 {
        Era::Y2024
    } else if secs < 1_767_225_600 {
        Era::Y2025
    } else {
        Era::Y2026
    }
}

fn models(era: Era) -> &'static [&'static str] {
    match era {
        Era::Y2023 => &["text-davinci-002-render-sha", "gpt-4", "gpt-4"],
        Era::Y2024 => &["gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o-mini", "gpt-4", "o1"],
        Era::Y2025 => &["gpt-4o", "gpt-4o", "o3", "o4-mini", "gpt-5", "gpt-5-thinking"],
        Era::Y2026 => &["gpt-5", "gpt-5", "gpt-5-2", "gpt-5-thinking", "auto", "gpt-5-t-mini"],
    }
}

fn is_reasoning(model: &str) -> bool {
    matches!(model, "o1" | "o3" | "o4-mini" | "gpt-5-thinking" | "gpt-5-t-mini")
}

// ---------------------------------------------------------------------------------------------
// Messages.

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

    fn meta(mut self, key: &str, value: impl Into<Value>) -> Msg {
        self.meta.insert(key.to_string(), value.into());
        self
    }

    fn to(mut self, recipient: &'static str, channel: Option<&'static str>) -> Msg {
        self.recipient = recipient;
        self.channel = channel;
        self.end_turn = Some(false);
        self
    }

    fn no_end_turn(mut self) -> Msg {
        self.end_turn = None;
        self
    }

    fn untimed(mut self) -> Msg {
        self.timed = false;
        self.end_turn = None;
        self
    }
}

fn text_content(text: &str) -> Value {
    json!({"content_type": "text", "parts": [text]})
}

fn multimodal(parts: Vec<Value>) -> Value {
    json!({"content_type": "multimodal_text", "parts": parts})
}

// ---------------------------------------------------------------------------------------------
// One conversation: its tree, clock, ids, and the text generator for its topic and language.

struct Node {
    id: String,
    parent: Option<usize>,
    message: Option<Value>,
}

struct Conv {
    rng: Rng,
    era: Era,
    topic: &'static Topic,
    lang: Lang,
    model: &'static str,
    id: String,
    title: Option<String>,
    created: Stamp,
    clock: Stamp,
    nodes: Vec<Node>,
    current: Option<usize>,
    gizmo: Option<String>,
    voice: bool,
}

impl Conv {
    fn new(mut rng: Rng, projects: &[String]) -> Conv {
        let secs = FIRST_SECOND + rng.below((LAST_SECOND - FIRST_SECOND) as u64) as i64;
        let era = era_of(secs);
        let id = if era <= Era::Y2024 { rng.uuid4() } else { rng.time_id(secs) };
        let topic = rng.pick(TOPICS);
        let lang = match rng.below(100) {
            0..=5 => Lang::French,
            6..=9 => Lang::Japanese,
            _ => Lang::English,
        };
        let model = *rng.pick(models(era));
        let created = Stamp { secs, frac: rng.below(1_000_000), digits: 6 };
        let gizmo = (era >= Era::Y2025 && rng.chance(0.06)).then(|| rng.pick(projects).clone());
        let voice = era >= Era::Y2024 && model.starts_with("gpt-4o") && rng.chance(0.1);
        let mut conv = Conv {
            rng,
            era,
            topic,
            lang,
            model,
            id,
            title: None,
            created,
            clock: created,
            nodes: Vec::new(),
            current: None,
            gizmo,
            voice,
        };
        conv.title = (!conv.rng.chance(0.02)).then(|| conv.title_text());
        conv
    }

    fn full(&self) -> bool {
        self.era != Era::Y2026
    }

    fn tick(&mut self, secs: u64) -> f64 {
        let seven = self.era == Era::Y2026 && self.rng.chance(0.3);
        self.clock.secs += secs as i64;
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

    fn push(&mut self, id: String, parent: Option<usize>, message: Option<Value>) -> usize {
        self.nodes.push(Node { id, parent, message });
        self.nodes.len() - 1
    }

    /// Root scaffolding for the era (plus custom instructions sometimes); returns the parent
    /// of the first visible message.
    fn start(&mut self) -> usize {
        let root = match self.era {
            Era::Y2023 => {
                let id = self.rng.uuid4();
                let system = Msg::new("system", text_content("")).untimed();
                let message = self.render(&id, None, system, None);
                self.push(id, None, Some(message))
            }
            Era::Y2024 => {
                let id = self.rng.uuid4();
                self.push(id, None, None)
            }
            Era::Y2025 | Era::Y2026 => self.push("client-created-root".into(), None, None),
        };
        if self.era == Era::Y2026 {
            return root;
        }
        let mut hidden = Msg::new("system", text_content("")).untimed();
        hidden.hidden_weight = true;
        let parent = match self.era {
            Era::Y2023 => root,
            _ => self.add(root, hidden.meta("is_visually_hidden_from_conversation", true)),
        };
        if self.rng.chance(0.3) { self.custom_instructions(parent) } else { parent }
    }

    fn custom_instructions(&mut self, parent: usize) -> usize {
        let profile = self.paragraph(2, false);
        let wishes = self.paragraph(2, false);
        let data = json!({"about_user_message": profile, "about_model_message": wishes});
        let msg = if self.era == Era::Y2023 {
            Msg::new("system", text_content(""))
        } else {
            let content = json!({
                "content_type": "user_editable_context",
                "user_profile": profile,
                "user_instructions": wishes,
            });
            Msg::new("user", content).meta("is_visually_hidden_from_conversation", true)
        };
        let msg = msg.untimed().meta("is_user_system_message", true);
        self.add(parent, msg.meta("user_context_message_data", data))
    }

    /// Adds a message under node `parent` and returns its index.
    fn add(&mut self, parent: usize, m: Msg) -> usize {
        let time = match (m.timed, m.role) {
            (false, _) => None,
            (true, "user") => {
                let pause = if self.rng.chance(0.02) { 86_400 * 3 } else { 25 };
                let pause = self.rng.range(pause, pause * 8);
                Some(self.tick(pause))
            }
            (true, _) => {
                let pause = self.rng.range(2, 30);
                Some(self.tick(pause))
            }
        };
        let id = self.node_id(m.role);
        let message = self.render(&id, Some(parent), m, time);
        self.push(id, Some(parent), Some(message))
    }

    fn render(&mut self, id: &str, parent: Option<usize>, mut m: Msg, time: Option<f64>) -> Value {
        if !self.full() {
            return render_slim(id, m, time);
        }
        let parent_id = parent.map(|p| self.nodes[p].id.clone()).unwrap_or_default();
        let meta = self.metadata(&parent_id, &mut m);
        let weight = if m.hidden_weight { 0.0 } else { 1.0 };
        // `json!` copies the values it is given, so the large parts are moved in afterwards.
        let mut msg = json!({
            "id": id,
            "author": {"role": m.role, "name": m.name, "metadata": {}},
            "create_time": time,
            "update_time": null,
            "content": null,
            "status": "finished_successfully",
            "end_turn": m.end_turn,
            "weight": weight,
            "metadata": null,
            "recipient": m.recipient,
        });
        msg["content"] = m.content;
        msg["metadata"] = meta;
        if self.era != Era::Y2023 {
            msg["channel"] = json!(m.channel);
        }
        msg
    }

    /// The message's metadata: the era's usual keys, then (moved out of `m`) its own.
    fn metadata(&mut self, parent: &str, m: &mut Msg) -> Value {
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
        // A key set above keeps its place and takes the message's value.
        meta.as_object_mut().expect("an object").extend(std::mem::take(&mut m.meta));
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
        meta["timestamp_"] = json!("absolute");
        meta["message_type"] = Value::Null;
    }

    fn request_id(&mut self) -> String {
        let pop = *self.rng.pick(&["IAD", "ORD", "SJC", "AMS", "FRA"]);
        format!("{}-{pop}", self.rng.hex(16))
    }
}

fn render_slim(id: &str, m: Msg, time: Option<f64>) -> Value {
    let mut msg = json!({
        "id": id,
        "author": {"role": m.role},
        "create_time": time,
        "content": null,
    });
    msg["content"] = m.content;
    if m.end_turn == Some(true) {
        msg["end_turn"] = json!(true);
    }
    if !m.meta.is_empty() {
        msg["metadata"] = Value::Object(m.meta);
    }
    msg
}

// Text generation.
impl Conv {
    fn noun(&mut self) -> &'static str {
        if self.rng.chance(0.75) {
            self.rng.skewed(self.topic.nouns)
        } else {
            self.rng.skewed(GENERAL_NOUNS)
        }
    }

    fn english_word(&mut self, tag: &'static str, out: &mut String) {
        let word = match tag {
            "D" => *self.rng.pick(DETERMINERS),
            "A" => self.rng.skewed(ADJECTIVES),
            "N" => self.noun(),
            "V" => self.rng.skewed(VERBS),
            "P" => *self.rng.pick(PREPOSITIONS),
            "R" => *self.rng.pick(ADVERBS),
            "C" => *self.rng.pick(CONJUNCTIONS),
            "S" => *self.rng.pick(SUBJECTS),
            "#" => {
                let n = self.rng.range(2, 45);
                let _ = write!(out, "{n}");
                return;
            }
            literal => literal,
        };
        out.push_str(word);
    }

    fn french_word(&mut self, tag: &'static str, out: &mut String) {
        let word = match tag {
            "D" => *self.rng.pick(FR_DETERMINERS),
            "A" => self.rng.skewed(FR_ADJECTIVES),
            "N" => self.rng.skewed(FR_NOUNS),
            "V" => *self.rng.pick(FR_VERBS),
            "P" => *self.rng.pick(FR_PREPOSITIONS),
            "R" => *self.rng.pick(FR_ADVERBS),
            literal => literal,
        };
        out.push_str(word);
    }

    /// Appends one sentence in the conversation's language (sometimes English anyway).
    fn sentence(&mut self, out: &mut String, question: bool) {
        let lang = if self.rng.chance(0.7) { self.lang } else { Lang::English };
        if lang == Lang::Japanese {
            return self.japanese(out, question);
        }
        let patterns = match (lang, question) {
            (Lang::French, false) => FR_STATEMENTS,
            (Lang::French, true) => FR_QUESTIONS,
            (_, false) => STATEMENTS,
            (_, true) => QUESTIONS,
        };
        let start = out.len();
        for (i, tag) in self.rng.pick(patterns).split(' ').enumerate() {
            if i > 0 && tag != "," && tag != "?" {
                out.push(' ');
            }
            let word_start = out.len();
            if lang == Lang::French {
                self.french_word(tag, out);
            } else {
                self.english_word(tag, out);
            }
            fix_article(out, start, word_start);
        }
        capitalize_from(out, start);
        if !question {
            out.push('.');
        }
    }

    fn japanese(&mut self, out: &mut String, question: bool) {
        let (a, b) = (*self.rng.pick(JA_NOUNS), *self.rng.pick(JA_NOUNS));
        let verb = *self.rng.pick(JA_VERBS);
        if question {
            let _ = write!(out, "{a}で{b}を{verb}か？");
            return;
        }
        match self.rng.below(3) {
            0 => {
                let adj = self.rng.pick(JA_ADJECTIVES);
                let _ = write!(out, "{a}は{adj}{b}です。");
            }
            1 => {
                let _ = write!(out, "{a}で{b}を{verb}。");
            }
            _ => {
                let _ = write!(out, "明日は{a}に{verb}。");
            }
        }
    }

    fn paragraph(&mut self, max_sentences: u64, question_last: bool) -> String {
        let mut out = String::with_capacity(256);
        let n = self.rng.range(1, max_sentences);
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            self.sentence(&mut out, question_last && i + 1 == n);
        }
        out
    }

    fn title_text(&mut self) -> String {
        let mut out = String::new();
        for word in self.rng.pick(TITLE_PATTERNS).split(' ') {
            if !out.is_empty() {
                out.push(' ');
            }
            let (tag, tail) = word.split_at(1);
            match tag {
                "N" => out.push_str(self.noun()),
                "A" => out.push_str(self.rng.skewed(ADJECTIVES)),
                _ => out.push_str(tag),
            }
            out.push_str(tail);
        }
        capitalize_from(&mut out, 0);
        out
    }

    fn user_text(&mut self) -> String {
        let question = self.rng.chance(0.75);
        self.paragraph(3, question)
    }

    fn answer_text(&mut self) -> String {
        let mut out = String::with_capacity(2048);
        let blocks = self.rng.range(1, 5);
        for i in 0..blocks {
            if i > 0 {
                out.push_str("\n\n");
            }
            match self.rng.below(10) {
                0 | 1 => self.bullets(&mut out, false),
                2 => self.bullets(&mut out, true),
                3 if self.topic.code => self.code_block(&mut out),
                _ => out.push_str(&self.paragraph(5, false)),
            }
        }
        out
    }

    fn bullets(&mut self, out: &mut String, numbered: bool) {
        let items = self.rng.range(3, 6);
        for i in 1..=items {
            if numbered {
                let _ = write!(out, "{i}. ");
            } else {
                out.push_str("- ");
            }
            if self.rng.chance(0.4) {
                let noun = self.noun();
                let _ = write!(out, "**{noun}**: ");
            }
            self.sentence(out, false);
            if i < items {
                out.push('\n');
            }
        }
    }

    fn code_block(&mut self, out: &mut String) {
        let (verb, noun) = (self.rng.skewed(VERBS), self.noun().replace([' ', '-'], "_"));
        let limit = self.rng.range(2, 99);
        let _ = write!(
            out,
            "```rust\nfn {verb}_{noun}(items: &[u32]) -> u32 {{\n    \
             items.iter().filter(|x| **x > {limit}).sum()\n}}\n```"
        );
    }
}

/// Turns "a" into "an" when the word just written at `word` starts with a vowel.
fn fix_article(out: &mut String, sentence: usize, word: usize) {
    let vowel = matches!(out.as_bytes().get(word), Some(b'a' | b'e' | b'i' | b'o' | b'u'));
    if vowel && word >= sentence + 2 && out[sentence..word - 1].ends_with('a') {
        let before = &out[sentence..word - 2];
        if before.is_empty() || before.ends_with(' ') {
            out.insert(word - 1, 'n');
        }
    }
}

fn alnum(rng: &mut Rng, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| char::from(*rng.pick(CHARS))).collect()
}

fn capitalize_from(s: &mut str, start: usize) {
    if let Some(c) = s[start..].chars().next()
        && c.is_ascii_lowercase()
    {
        s[start..start + 1].make_ascii_uppercase();
    }
}

// Tool chains: code interpreter, reasoning, web search, voice, images.
impl Conv {
    fn answer(&mut self, parent: usize) -> usize {
        let mut parent = parent;
        if is_reasoning(self.model) {
            parent = self.thoughts(parent);
        }
        if self.full() && self.rng.chance(if self.topic.code { 0.25 } else { 0.05 }) {
            parent = self.code_chain(parent);
        }
        if self.era >= Era::Y2025 && self.rng.chance(0.05) {
            return self.search_answer(parent);
        }
        let text = self.answer_text();
        let channel = self.model.starts_with("gpt-5").then_some("final");
        let mut msg = Msg::new("assistant", text_content(&text));
        msg.channel = channel;
        self.add(parent, msg)
    }

    fn thoughts(&mut self, parent: usize) -> usize {
        let count = self.rng.range(1, 3);
        let mut thoughts = Vec::new();
        for _ in 0..count {
            let noun = self.noun();
            let summary = format!("Weighing the {} {noun}", self.rng.skewed(ADJECTIVES));
            let content = self.paragraph(4, false);
            thoughts.push(json!({
                "summary": summary,
                "content": content,
                "chunks": [],
                "finished": true,
            }));
        }
        let content = json!({
            "content_type": "thoughts",
            "thoughts": thoughts,
            "source_analysis_msg_id": self.rng.uuid4(),
        });
        let msg = Msg::new("assistant", content).no_end_turn();
        let thoughts = self.add(parent, msg.meta("reasoning_status", "is_reasoning"));
        let secs = self.rng.range(2, 40);
        let recap = json!({
            "content_type": "reasoning_recap",
            "content": format!("Thought for {secs}s"),
        });
        let recap = Msg::new("assistant", recap).no_end_turn();
        let recap = recap.meta("reasoning_status", "reasoning_ended");
        self.add(thoughts, recap.meta("finished_duration_sec", secs))
    }

    fn code_chain(&mut self, parent: usize) -> usize {
        let (code, output) = self.python_snippet();
        let content = json!({
            "content_type": "code",
            "language": "python",
            "response_format_name": null,
            "text": code,
        });
        let channel = (self.era >= Era::Y2025).then_some("commentary");
        let call = self.add(parent, Msg::new("assistant", content).to("python", channel));
        let started = self.clock;
        let result = json!({"content_type": "execution_output", "text": output});
        let mut tool = Msg::new("tool", result);
        tool.name = Some("python");
        let aggregate = json!({
            "status": "success", "run_id": self.rng.uuid4(),
            "start_time": started.float(), "update_time": started.float(),
            "code": code, "end_time": started.float(), "final_expression_output": output,
            "in_kernel_exception": null, "system_exception": null,
            "messages": [], "jupyter_messages": [], "timeout_triggered": null,
        });
        self.add(call, tool.meta("aggregate_result", aggregate))
    }

    /// A small Python program and the output it would print.
    fn python_snippet(&mut self) -> (String, String) {
        let noun = self.noun().replace([' ', '-'], "_");
        if self.rng.chance(0.5) {
            let values: Vec<u64> =
                (0..self.rng.range(3, 12)).map(|_| self.rng.range(5, 900)).collect();
            let list = values.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
            let total: u64 = values.iter().sum();
            let mean = total as f64 / values.len() as f64;
            let code = format!(
                "{noun}_values = [{list}]\ntotal = sum({noun}_values)\n\
                 print(f\"total={{total}} mean={{total / len({noun}_values):.2f}}\")"
            );
            (code, format!("total={total} mean={mean:.2}\n"))
        } else {
            let principal = self.rng.range(100, 20_000);
            let (rate, months) = (self.rng.range(1, 9), self.rng.range(6, 60));
            let code = format!(
                "balance = {principal}\nfor month in range({months}):\n    \
                 balance *= 1 + 0.0{rate} / 12\nround(balance, 2)"
            );
            let value = principal as f64 * (1.0 + rate as f64 / 100.0 / 12.0).powi(months as i32);
            let mut shown = format!("{value:.2}");
            if shown.ends_with('0') {
                shown.pop(); // Python prints round(x, 2) as 12.5, not 12.50
            }
            (code, shown)
        }
    }

    fn search_answer(&mut self, parent: usize) -> usize {
        let mut parent = parent;
        let query = format!("{} {}", self.noun(), self.noun());
        if self.full() {
            let call = format!("{{\"search_query\": [{{\"q\": \"{query}\"}}]}}");
            let content = json!({
                "content_type": "code",
                "language": "unknown",
                "response_format_name": null,
                "text": call,
            });
            let call = Msg::new("assistant", content).to("web.run", Some("commentary"));
            parent = self.add(parent, call);
            let mut tool = Msg::new("tool", text_content(""));
            tool.name = Some("web.run");
            let queries = json!({"type": "search_model_queries", "queries": [query]});
            parent = self.add(parent, tool.meta("search_model_queries", queries));
        }
        let (text, refs) = self.cited_text();
        let msg = Msg::new("assistant", text_content(&text));
        self.add(parent, msg.meta("content_references", refs))
    }

    /// Answer text with private-use citation tokens, and the references resolving them.
    fn cited_text(&mut self) -> (String, Vec<Value>) {
        let (mut text, mut refs) = (String::with_capacity(1024), Vec::new());
        for i in 0..self.rng.range(2, 5) {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(&self.paragraph(2, false));
            if self.rng.chance(0.6) {
                text.push(' ');
                let start = text.chars().count();
                let token = format!("\u{E200}cite\u{E202}turn0search{}\u{E201}", refs.len());
                text.push_str(&token);
                let end = start + token.chars().count();
                refs.push(self.web_reference(token, start, end, refs.len()));
            }
        }
        (text, refs)
    }

    fn web_reference(&mut self, token: String, start: usize, end: usize, index: usize) -> Value {
        let tld = *self.rng.pick(&["org", "com", "net", "edu"]);
        let site = self.noun().replace(' ', "-");
        let url = format!("https://{site}-notes.example.{tld}/{}", self.rng.hex(6));
        let title = self.title_text();
        let refs = json!([{"turn_index": 0, "ref_type": "search", "ref_index": index}]);
        let item = json!({
            "title": title,
            "url": url,
            "pub_date": null,
            "attribution": format!("{site}-notes.example.{tld}"),
            "refs": refs.clone(),
        });
        json!({
            "matched_text": token, "start_idx": start, "end_idx": end,
            "type": "grouped_webpages", "items": [item], "refs": refs,
            "safe_urls": [url], "invalid": false,
        })
    }

    fn audio_pointer(&mut self, seconds: f64) -> Value {
        let expiry = iso(self.clock.secs + 30 * 86_400);
        let meta = json!({"start": 0.0, "end": seconds});
        json!({
            "content_type": "audio_asset_pointer",
            "asset_pointer": format!("sediment://file_00000000{}", self.rng.hex(24)),
            "size_bytes": (seconds * 48_000.0) as u64, "format": "wav",
            "expiry_datetime": expiry, "metadata": meta,
        })
    }

    fn voice_turn(&mut self, parent: usize) -> usize {
        let said = self.user_text();
        let seconds = self.rng.range(2, 12) as f64;
        let clip = self.audio_pointer(seconds);
        let wrapper = json!({
            "content_type": "real_time_user_audio_video_asset_pointer",
            "frames_asset_pointers": [], "video_container_asset_pointer": null,
            "audio_asset_pointer": clip, "audio_start_timestamp": 0.0,
        });
        let heard = json!({"content_type": "audio_transcription", "text": said, "direction": "in"});
        let user = Msg::new("user", multimodal(vec![heard, wrapper]));
        let user = self.add(parent, user.meta("voice_mode_message", true));
        let reply = self.paragraph(4, false);
        let seconds = self.rng.range(4, 30) as f64;
        let clip = self.audio_pointer(seconds);
        let spoken = json!({
            "content_type": "audio_transcription",
            "text": reply,
            "direction": "out",
        });
        let answer = Msg::new("assistant", multimodal(vec![spoken, clip]));
        self.add(user, answer.meta("voice_mode_message", true))
    }
}

// Serialisation.
impl Conv {
    /// Builds the `mapping` object, moving the messages out of the nodes.
    fn mapping(&mut self) -> Value {
        let ids: Vec<String> = self.nodes.iter().map(|n| n.id.clone()).collect();
        let mut children: Vec<Vec<&str>> = vec![Vec::new(); ids.len()];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(p) = node.parent {
                children[p].push(&ids[i]);
            }
        }
        let full = self.full();
        let mut mapping = Map::with_capacity(ids.len());
        for (node, children) in self.nodes.iter_mut().zip(children) {
            let parent = node.parent.map(|p| &ids[p]);
            let mut value = json!({"id": node.id, "message": null, "parent": parent});
            if let Some(message) = node.message.take() {
                value["message"] = message;
            }
            if full {
                value["children"] = json!(children);
            }
            mapping.insert(node.id.clone(), value);
        }
        Value::Object(mapping)
    }

    fn current_id(&self) -> String {
        let index = self.current.unwrap_or(self.nodes.len() - 1);
        self.nodes[index].id.clone()
    }

    /// The conversation object; afterwards the nodes no longer hold their messages.
    fn finish(&mut self) -> Value {
        let gizmo = &self.gizmo;
        let gizmo_type = gizmo.as_ref().map(|_| "snorlax");
        let memory = if gizmo.is_some() { "project_enabled" } else { "global_enabled" };
        let voice = self.voice.then_some("breeze");
        // The mapping is moved in afterwards, as `json!` would copy it.
        let mut conv = match self.era {
            Era::Y2023 => json!({
                "title": self.title, "create_time": self.created.float(),
                "update_time": self.clock.float(), "mapping": null,
                "moderation_results": [], "current_node": self.current_id(),
                "plugin_ids": null, "conversation_id": self.id,
                "conversation_template_id": null, "gizmo_id": null, "is_archived": false,
                "safe_urls": [], "default_model_slug": self.model, "id": self.id,
            }),
            Era::Y2024 | Era::Y2025 => json!({
                "title": self.title, "create_time": self.created.float(),
                "update_time": self.clock.float(), "mapping": null,
                "moderation_results": [], "current_node": self.current_id(),
                "plugin_ids": null, "conversation_id": self.id,
                "conversation_template_id": gizmo, "gizmo_id": gizmo, "gizmo_type": gizmo_type,
                "is_archived": false, "is_starred": null, "safe_urls": [],
                "blocked_urls": [], "default_model_slug": self.model,
                "conversation_origin": null, "voice": voice, "async_status": null,
                "disabled_tool_ids": [], "is_do_not_remember": false,
                "memory_scope": memory, "is_study_mode": false, "pinned_time": null,
                "id": self.id,
            }),
            Era::Y2026 => json!({
                "conversation_id": self.id, "conversation_template_id": gizmo,
                "create_time": self.created.float(), "current_node": self.current_id(),
                "default_model_slug": self.model, "gizmo_id": gizmo, "id": self.id,
                "is_archived": false, "is_do_not_remember": false, "is_read_only": null,
                "is_starred": null, "is_study_mode": false, "mapping": null,
                "memory_scope": memory, "pinned_time": null, "plugin_ids": null,
                "title": self.title, "update_time": self.clock.float(), "voice": voice,
            }),
        };
        conv["mapping"] = self.mapping();
        conv
    }
}

// ---------------------------------------------------------------------------------------------
// Attachments: PNG files with random pixels, stored as `file_<hex>.dat`.

struct Attachment {
    file_id: String,
    name: String,
    width: u32,
    height: u32,
    size: u64,
    seed: u64,
}

impl Attachment {
    /// The message's `image_asset_pointer` part and its `metadata.attachments` entry.
    fn json(&self) -> (Value, Value) {
        let part = json!({
            "content_type": "image_asset_pointer",
            "asset_pointer": format!("sediment://{}", self.file_id),
            "size_bytes": self.size,
            "width": self.width,
            "height": self.height,
            "fovea": null,
            "metadata": null,
        });
        let attachment = json!({
            "id": self.file_id,
            "size": self.size,
            "name": self.name,
            "mime_type": "image/png",
            "width": self.width,
            "height": self.height,
        });
        (part, attachment)
    }
}

fn png_size(width: u32, height: u32) -> u64 {
    let raw = u64::from(height) * (3 * u64::from(width) + 1);
    let blocks = raw.div_ceil(65_535).max(1);
    let zlib = 2 + 5 * blocks + raw + 4;
    8 + (12 + 13) + (12 + zlib) + 12
}

fn attachment_plan(rng: &mut Rng, total: u64) -> Vec<Attachment> {
    let mut items = Vec::new();
    let mut sum = 0;
    while sum < total {
        let width = rng.range(32, 160) as u32;
        let want = rng.range(4 << 10, 60 << 10);
        let height = (want / (3 * u64::from(width) + 1)).max(1) as u32;
        let size = png_size(width, height);
        let file_id = format!("file_00000000{}", rng.hex(24));
        let name = format!("IMG_{:04}.png", rng.range(1, 9999));
        let seed = rng.next();
        items.push(Attachment { file_id, name, width, height, size, seed });
        sum += size;
    }
    items
}

fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    for (n, slot) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *slot = c;
    }
    table
}

fn crc32(table: &[u32; 256], parts: &[&[u8]]) -> u32 {
    let mut crc = !0u32;
    for part in parts {
        for &b in *part {
            crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

fn png_bytes(item: &Attachment, table: &[u32; 256]) -> Vec<u8> {
    let mut rng = Rng(item.seed);
    let row = 3 * item.width as usize + 1;
    let mut raw = vec![0u8; row * item.height as usize];
    for line in raw.chunks_mut(row) {
        for chunk in line[1..].chunks_mut(8) {
            let bytes = rng.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut header = item.width.to_be_bytes().to_vec();
    header.extend_from_slice(&item.height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", &header), (b"IDAT", &zlib), (b"IEND", &Vec::new())] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc32(table, &[kind, data]).to_be_bytes());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The generator: builds conversations one at a time and keeps the small side records.

/// Where an attachment was uploaded, for `library_files.json`.
struct Upload {
    file_id: String,
    name: String,
    conversation: String,
    message: String,
    at: i64,
}

#[derive(Default)]
struct Totals {
    conversations: u64,
    nodes: u64,
    messages: u64,
    user_messages: u64,
    json_bytes: u64,
}

struct Gen {
    rng: Rng,
    target: u64,
    projects: Vec<String>,
    attachments: Vec<Attachment>,
    next_attachment: usize,
    uses: Vec<Upload>,
    feedback: Vec<(String, String, i64)>,
    shares: Vec<(String, Option<String>)>,
    totals: Totals,
}

impl Gen {
    fn new(seed: u64, target: u64, attachment_bytes: u64) -> Gen {
        let mut rng = Rng(seed ^ 0x6A09_E667_F3BC_C908);
        let projects = (0..4).map(|_| format!("g-p-{}", rng.hex(32))).collect();
        let attachments = attachment_plan(&mut rng.fork(), attachment_bytes);
        Gen {
            rng,
            target,
            projects,
            attachments,
            next_attachment: 0,
            uses: Vec::new(),
            feedback: Vec::new(),
            shares: Vec::new(),
            totals: Totals::default(),
        }
    }

    fn attachments_left(&self) -> usize {
        self.attachments.len() - self.next_attachment
    }

    /// Chance that a user message carries images, so that the pool lasts until the end.
    fn image_chance(&self) -> f64 {
        let t = &self.totals;
        let per_user = if t.user_messages > 100 { t.json_bytes / t.user_messages } else { 3000 };
        let users_left = (self.target.saturating_sub(t.json_bytes) / per_user.max(1)).max(1);
        (self.attachments_left() as f64 / users_left as f64).min(1.0)
    }

    /// Writes one conversation's JSON into `out`. Most are short, a few reach 200 messages.
    fn conversation(&mut self, out: &mut Vec<u8>) {
        let mut conv = Conv::new(self.rng.fork(), &self.projects);
        let wanted = 2 + (198.0 * conv.rng.unit().powi(4)) as usize;
        let turns = (wanted as u64 / 4).max(1);
        let branch_at = conv.rng.chance(0.15).then(|| conv.rng.below(turns));
        let image_chance = self.image_chance();
        let mut parent = conv.start();
        let base = conv.nodes.len();
        for turn in 0.. {
            let size = conv.nodes.len() - base;
            if turn > 0 && (size >= wanted || size + MAX_TURN_NODES > MAX_MESSAGES) {
                break;
            }
            if conv.voice {
                parent = conv.voice_turn(parent);
                continue;
            }
            let regenerate = branch_at == Some(turn) && conv.rng.chance(0.5);
            if branch_at == Some(turn) && !regenerate {
                let abandoned = self.user_message(&mut conv, parent, 0.0);
                conv.answer(abandoned);
            }
            let question = self.user_message(&mut conv, parent, image_chance);
            if regenerate {
                conv.answer(question);
            }
            parent = conv.answer(question);
            self.maybe_feedback(&mut conv, parent);
        }
        self.emit(&mut conv, out);
    }

    fn user_message(&mut self, conv: &mut Conv, parent: usize, image_chance: f64) -> usize {
        self.totals.user_messages += 1;
        let text = conv.user_text();
        if self.attachments_left() == 0 || !conv.rng.chance(image_chance) {
            return conv.add(parent, Msg::new("user", text_content(&text)));
        }
        let count = if conv.rng.chance(0.85) { 1 } else { conv.rng.range(2, 3) as usize };
        self.image_message(conv, parent, count, text)
    }

    fn image_message(
        &mut self,
        conv: &mut Conv,
        parent: usize,
        count: usize,
        text: String,
    ) -> usize {
        let first = self.next_attachment;
        let items = self.attachments.iter().skip(first).take(count);
        let (mut parts, attached): (Vec<Value>, Vec<Value>) = items.map(Attachment::json).unzip();
        self.next_attachment += parts.len();
        parts.push(text.into());
        let msg = Msg::new("user", multimodal(parts)).meta("attachments", attached);
        let index = conv.add(parent, msg);
        for item in &self.attachments[first..self.next_attachment] {
            if self.uses.len() < LIBRARY_ROWS {
                self.uses.push(Upload {
                    file_id: item.file_id.clone(),
                    name: item.name.clone(),
                    conversation: conv.id.clone(),
                    message: conv.nodes[index].id.clone(),
                    at: conv.clock.secs,
                });
            }
        }
        index
    }

    fn maybe_feedback(&mut self, conv: &mut Conv, node: usize) {
        if self.feedback.len() < 1000 && conv.rng.chance(0.004) {
            let message = conv.nodes[node].id.clone();
            self.feedback.push((conv.id.clone(), message, conv.clock.secs + 60));
        }
    }

    fn emit(&mut self, conv: &mut Conv, out: &mut Vec<u8>) {
        if self.shares.len() < 500 && conv.rng.chance(0.003) {
            self.shares.push((conv.id.clone(), conv.title.clone()));
        }
        let start = out.len();
        let t = &mut self.totals;
        t.conversations += 1;
        t.nodes += conv.nodes.len() as u64;
        t.messages += conv.nodes.iter().filter(|n| n.message.is_some()).count() as u64;
        serde_json::to_writer(&mut *out, &conv.finish()).expect("a JSON value always serialises");
        t.json_bytes += (out.len() - start) as u64 + 1;
    }

    /// A final conversation that references every attachment not used yet.
    fn photo_dump(&mut self, out: &mut Vec<u8>) {
        let mut conv = Conv::new(self.rng.fork(), &self.projects);
        conv.voice = false;
        conv.title = Some("Sorting photos from the weekend".into());
        let mut parent = conv.start();
        while self.attachments_left() > 0 {
            let text = conv.user_text();
            let count = self.attachments_left().min(4);
            let question = self.image_message(&mut conv, parent, count, text);
            parent = conv.answer(question);
        }
        self.emit(&mut conv, out);
    }
}

// ---------------------------------------------------------------------------------------------
// Side files and the ZIP.

/// `message_feedback.json` and `shared_conversations.json`.
fn feedback_and_shares(generator: &Gen, user_id: &str, rng: &mut Rng) -> (Value, Value) {
    let feedback = generator.feedback.iter().map(|(conv, message, at)| {
        json!({
            "id": rng.uuid4(),
            "conversation_id": conv,
            "message_id": message,
            "user_id": user_id,
            "rating": "thumbsUp",
            "content": "{}",
            "create_time": iso(*at),
            "update_time": iso(*at),
            "workspace_id": null,
        })
    });
    let feedback = feedback.collect();
    let shares = generator.shares.iter().map(|(conv, title)| {
        json!({
            "id": rng.uuid4(),
            "conversation_id": conv,
            "title": title,
            "is_anonymous": true,
        })
    });
    (feedback, shares.collect())
}

fn side_files(generator: &Gen, user_id: &str, sharded: bool) -> Vec<(&'static str, Value)> {
    let mut rng = Rng(generator.totals.json_bytes);
    let (feedback, shares) = feedback_and_shares(generator, user_id, &mut rng);
    let user = json!({
        "id": user_id,
        "email": "bench.user@example.com",
        "chatgpt_plus_user": true,
        "phone_number": null,
        "birth_year": 1988,
    });
    let mut files = vec![
        ("message_feedback.json", feedback),
        ("model_comparisons.json", json!([])),
        ("shared_conversations.json", shares),
        ("user.json", user),
    ];
    if sharded {
        let settings = json!({"language": "en-US", "theme": "system", "memory_enabled": true});
        files.push(("user_settings.json", settings));
        files.push(("library_files.json", library(generator, &mut rng)));
    }
    if sharded || !generator.attachments.is_empty() {
        let names = generator.attachments.iter();
        let names: Map<String, Value> =
            names.map(|a| (format!("{}.dat", a.file_id), json!(a.name))).collect();
        files.push(("conversation_asset_file_names.json", names.into()));
    }
    files
}

/// Library rows for the first few uploads.
fn library(generator: &Gen, rng: &mut Rng) -> Value {
    let rows = generator.uses.iter().map(|u| {
        let stamp = iso(u.at);
        json!({
            "id": {"id": format!("libfile_{}", rng.hex(32))}, "file_id": u.file_id,
            "file_name": u.name, "mime_type": "image/png",
            "library_file_category": "image", "library_artifact_type": null,
            "library_artifact_subtype": null, "origination_message_id": u.message,
            "origination_thread_id": u.conversation,
            "initiating_conversation_id": u.conversation,
            "image_gen_generation_id": null, "created_at": stamp,
            "record_creation_time": stamp, "version_created_at": stamp,
            "current_version_number": 1, "source_version_number": null, "state": "active",
        })
    });
    rows.collect()
}

struct Out {
    zip: ZipWriter<BufWriter<File>>,
    members: Vec<(String, u64)>,
    time: DateTime,
}

impl Out {
    fn create(path: &PathBuf) -> Res<Out> {
        let file = BufWriter::with_capacity(1 << 20, File::create(path)?);
        let time = DateTime::from_date_and_time(2026, 10, 1, 8, 0, 0)?;
        Ok(Out { zip: ZipWriter::new(file), members: Vec::new(), time })
    }

    fn member(&mut self, name: &str, stored: bool, large: bool) -> Res<()> {
        let method = if stored { CompressionMethod::Stored } else { CompressionMethod::Deflated };
        let level = (!stored).then_some(1);
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .compression_level(level)
            .last_modified_time(self.time)
            .unix_permissions(0o644)
            .large_file(large);
        self.zip.start_file(name, options)?;
        self.members.push((name.to_string(), 0));
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> Res<()> {
        self.zip.write_all(bytes)?;
        if let Some(last) = self.members.last_mut() {
            last.1 += bytes.len() as u64;
        }
        Ok(())
    }

    /// Writes the central directory and returns the members with their sizes.
    fn finish(self) -> Res<Vec<(String, u64)>> {
        self.zip.finish()?.flush()?;
        Ok(self.members)
    }

    fn small_member(&mut self, name: &str, bytes: &[u8]) -> Res<()> {
        self.member(name, false, false)?;
        self.write(bytes)
    }
}

/// What the generating thread sends to the writing thread.
enum Chunk {
    Open(String),
    Bytes(Vec<u8>),
    Done(Box<Gen>),
}

/// Runs in its own thread: generates every conversation file, shard by shard.
fn produce(mut generator: Gen, names: Vec<String>, tx: SyncSender<Chunk>) {
    let count = names.len() as u64;
    for (i, name) in names.into_iter().enumerate() {
        let last = i as u64 + 1 == count;
        let goal = generator.target * (i as u64 + 1) / count;
        if tx.send(Chunk::Open(name)).is_err() {
            return;
        }
        let mut buf = b"[".to_vec();
        let mut first = true;
        loop {
            let more = generator.totals.json_bytes < goal || first;
            let dump = !more && last && generator.attachments_left() > 0;
            if !more && !dump {
                break;
            }
            if !first {
                buf.push(b',');
            }
            if dump {
                generator.photo_dump(&mut buf)
            } else {
                generator.conversation(&mut buf)
            }
            first = false;
            if buf.len() >= 1 << 20 && tx.send(Chunk::Bytes(std::mem::take(&mut buf))).is_err() {
                return;
            }
        }
        buf.push(b']');
        if tx.send(Chunk::Bytes(buf)).is_err() {
            return;
        }
    }
    let _ = tx.send(Chunk::Done(Box::new(generator)));
}

fn consume(out: &mut Out, rx: Receiver<Chunk>, large: bool) -> Res<Gen> {
    for chunk in rx {
        match chunk {
            Chunk::Open(name) => out.member(&name, false, large)?,
            Chunk::Bytes(bytes) => out.write(&bytes)?,
            Chunk::Done(generator) => return Ok(*generator),
        }
    }
    Err("generator thread stopped early".into())
}

fn write_attachments(out: &mut Out, generator: &Gen) -> Res<u64> {
    let table = crc_table();
    let mut total = 0;
    for item in &generator.attachments {
        out.member(&format!("{}.dat", item.file_id), true, false)?;
        let bytes = png_bytes(item, &table);
        total += bytes.len() as u64;
        out.write(&bytes)?;
    }
    Ok(total)
}

fn manifest(out: &Out, shard_names: &[String]) -> Value {
    let mut members = out.members.clone();
    members.sort();
    let files = members.iter().map(|(path, size)| json!({"path": path, "size_bytes": size}));
    let files: Vec<Value> = files.collect();
    json!({
        "version": 1,
        "export_files": files,
        "logical_files": {"conversations.json": {"files": shard_names}},
    })
}

fn run(args: &Args) -> Res<()> {
    let started = Instant::now();
    let names: Vec<String> = match args.shards {
        0 => vec!["conversations.json".into()],
        k => (0..k).map(|i| format!("conversations-{i:03}.json")).collect(),
    };
    let generator = Gen::new(args.seed, args.json_bytes, args.attachment_bytes);
    let user_id = format!("user-{}", alnum(&mut Rng(args.seed), 24));
    let large = args.json_bytes / names.len() as u64 > 3_500_000_000;
    let mut out = Out::create(&args.out)?;
    let (tx, rx) = sync_channel(16);
    let producer = std::thread::spawn({
        let names = names.clone();
        move || produce(generator, names, tx)
    });
    let generator = consume(&mut out, rx, large)?;
    producer.join().map_err(|_| "generator thread panicked")?;
    let attachment_bytes = write_attachments(&mut out, &generator)?;
    for (name, json) in side_files(&generator, &user_id, args.shards > 0) {
        out.small_member(name, &serde_json::to_vec(&json)?)?;
    }
    if args.shards > 0 {
        let manifest = serde_json::to_vec(&manifest(&out, &names))?;
        out.small_member("export_manifest.json", &manifest)?;
    }
    let members = out.finish()?;
    report(args, &generator, &members, attachment_bytes, started);
    Ok(())
}

fn report(
    args: &Args,
    generator: &Gen,
    members: &[(String, u64)],
    attachment_bytes: u64,
    started: Instant,
) {
    let t = &generator.totals;
    let json: u64 =
        members.iter().filter(|(n, _)| n.starts_with("conversations")).map(|m| m.1).sum();
    let zip_size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    eprintln!("wrote {}", args.out.display());
    eprintln!("  conversations  {}", t.conversations);
    eprintln!("  messages       {} ({} nodes)", t.messages, t.nodes);
    eprintln!("  JSON bytes     {json} ({:.1} MB)", json as f64 / MIB);
    eprintln!("  attachments    {} ({attachment_bytes} bytes)", generator.attachments.len());
    eprintln!("  ZIP bytes      {zip_size} ({:.1} MB)", zip_size as f64 / MIB);
    eprintln!("  seconds        {:.2}", started.elapsed().as_secs_f64());
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return;
        }
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(error) = run(&args) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
