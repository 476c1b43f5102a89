//! Shard files: the member-level results of part of an ensemble, so that shards run anywhere
//! (a Slurm job array, GNU parallel, several laptops) and merge into exactly the files of the
//! unsharded run.
//!
//! A shard is CSV (fields quoted where needed), one record per line:
//!
//! ```text
//! borderflow-ensemble-shard,1          magic and format version
//! origin,2019-01-01                    the model calendar
//! horizon_end,2030-12-31
//! record_end,2022-10-10
//! members,1000                         the whole ensemble's size
//! seed,7
//! sampling,LatinHypercube
//! shard,0,4                            shard I of N: members with index mod N = I
//! fingerprint,5c0f…                    FNV-1a of scenario, model and distributions
//! outputs,Mainland visitor arrivals,…  the recorded outputs, in order
//! headlines,4                          the number of headline figures, then for each:
//! headline,date50,date,date            its id, unit, and whether it is a date or a number
//! parameters,Risk sensitivity,…        the sampled parameters, in order
//! times,0,7,14,…                       model times of the recorded values
//! member,I,P…,H…,S…                    per member: index, one value per parameter, the
//!                                      headline figures (dates as model times), then each
//!                                      output's values at every time, output by output
//! ```
//!
//! Numbers are written in Rust's shortest round-trip form, so merging reads back exactly the
//! values the members produced.

use std::path::Path;

use super::{HeadlineColumn, Member, Plan, Summary};
use crate::analysis::limits::{MAX_MEMBERS, MAX_SHARDS};
use crate::engine::EngineError;
use crate::scenario::{Calendar, Prepared};

const MAGIC: &str = "borderflow-ensemble-shard";
const FORMAT_VERSION: &str = "3";
/// Headline figures a shard may carry.
const MAX_HEADLINES: usize = 1000;

/// What a shard says about the ensemble it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub calendar: Calendar,
    pub members: usize,
    pub seed: u64,
    pub sampling: String,
    pub shard: usize,
    pub shards: usize,
    pub fingerprint: String,
    pub outputs: Vec<String>,
    pub headlines: Vec<HeadlineColumn>,
    pub parameters: Vec<String>,
    pub times: Vec<f64>,
}

impl Header {
    pub fn new(prepared: &Prepared, plan: &Plan, shard: usize, shards: usize) -> Header {
        Header {
            calendar: plan.calendar.clone(),
            members: plan.members(),
            seed: plan.sampler.seed,
            sampling: format!("{:?}", plan.sampler.sampling),
            shard,
            shards,
            fingerprint: fingerprint(prepared, plan),
            outputs: plan.output_names.clone(),
            headlines: HeadlineColumn::of(&plan.description),
            parameters: plan.parameters.iter().map(|p| p.name.clone()).collect(),
            times: plan.times.clone(),
        }
    }

    /// Everything but the shard number: shards of one ensemble agree on it.
    fn ensemble_key(&self) -> Header {
        Header {
            shard: 0,
            ..self.clone()
        }
    }
}

/// FNV-1a (64 bit) over what decides the members' results: the scenario, the model, the
/// sampled distributions and the recorded times.
pub fn fingerprint(prepared: &Prepared, plan: &Plan) -> String {
    // The model without its file name: the same model reached by another path is the same.
    let mut model = prepared.setup.compiled.model.clone();
    model.file.clear();
    let text = format!(
        "{}\n{:?}\n{:?}\n{:?}\n{:?}",
        prepared.scenario.to_ron(),
        model,
        plan.parameters
            .iter()
            .map(|p| (&p.name, &p.distribution))
            .collect::<Vec<_>>(),
        plan.sampler.sampling,
        plan.times
    );
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Longest excerpt of a foreign file quoted in an error, in characters.
const EXCERPT_CHARS: usize = 24;

/// A short, escaped excerpt of text read from a file that may not be a shard at all.
fn excerpt(text: &str) -> String {
    let short: String = text.chars().take(EXCERPT_CHARS).collect();
    let more = if short.len() < text.len() { "…" } else { "" };
    format!("\"{}\"{more}", short.escape_debug())
}

/// A CSV error without the record's text.
fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { pos, .. } => format!(
            "invalid UTF-8 on line {}",
            pos.as_ref().map_or(0, |p| p.line())
        ),
        csv::ErrorKind::Io(e) => e.to_string(),
        _ => "malformed CSV".into(),
    }
}

/// Writes a shard.
pub fn write(path: &Path, header: &Header, members: &[Member]) -> Result<(), EngineError> {
    let file = path.display().to_string();
    let io = |e: csv::Error| EngineError::Run(format!("{file}: {e}"));
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let c = &header.calendar;
    let mut rows: Vec<Vec<String>> = vec![
        vec![MAGIC.into(), FORMAT_VERSION.into()],
        vec!["origin".into(), c.origin.clone()],
        vec!["horizon_end".into(), c.horizon_end.clone()],
        vec!["record_end".into(), c.record_end.clone()],
        vec!["members".into(), header.members.to_string()],
        vec!["seed".into(), header.seed.to_string()],
        vec!["sampling".into(), header.sampling.clone()],
        vec![
            "shard".into(),
            header.shard.to_string(),
            header.shards.to_string(),
        ],
        vec!["fingerprint".into(), header.fingerprint.clone()],
        std::iter::once("outputs".to_string())
            .chain(header.outputs.iter().cloned())
            .collect(),
    ];
    rows.push(vec!["headlines".into(), header.headlines.len().to_string()]);
    for h in &header.headlines {
        let kind = if h.is_date { "date" } else { "number" };
        rows.push(vec![
            "headline".into(),
            h.id.clone(),
            h.unit.clone(),
            kind.into(),
        ]);
    }
    rows.extend([
        std::iter::once("parameters".to_string())
            .chain(header.parameters.iter().cloned())
            .collect(),
        std::iter::once("times".to_string())
            .chain(header.times.iter().map(|t| t.to_string()))
            .collect(),
    ]);
    for row in rows {
        w.write_record(&row).map_err(io)?;
    }
    let mut sum = Checksum::new();
    for m in members {
        let row: Vec<String> = ["member".to_string(), m.index.to_string()]
            .into_iter()
            .chain(
                m.parameters
                    .iter()
                    .chain(&m.headlines)
                    .chain(&m.series)
                    .map(|v| v.to_string()),
            )
            .collect();
        sum.add(&row);
        w.write_record(&row).map_err(io)?;
    }
    w.write_record(["checksum", &sum.hex()]).map_err(io)?;
    let bytes = w
        .into_inner()
        .map_err(|e| EngineError::Run(format!("{file}: {e}")))?;
    crate::scenario::write::write_atomic(path, &bytes)
}

/// Reads a shard, checking every line's shape; errors name the file and line.
pub fn read(path: &Path) -> Result<(Header, Vec<Member>), EngineError> {
    let file = path.display().to_string();
    let at = |line: u64, msg: String| EngineError::Run(format!("{file}:{line}: {msg}"));
    // A regular file within the size limit, read whole: no FIFO, device or huge file.
    let bytes = crate::engine::limits::read_input(path).map_err(|reason| EngineError::Io {
        file: file.clone(),
        reason,
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let mut records = rdr.records();
    let mut next = |key: &str| -> Result<(u64, Vec<String>), EngineError> {
        match records.next() {
            Some(Ok(r)) => {
                let line = r.position().map_or(0, |p| p.line());
                let fields: Vec<String> = r.iter().map(str::to_string).collect();
                if fields.first().map(String::as_str) != Some(key) {
                    let found = fields.first().map_or("nothing".into(), |f| excerpt(f));
                    return Err(at(
                        line,
                        format!("expected a line starting with {key:?}, found {found}"),
                    ));
                }
                Ok((line, fields[1..].to_vec()))
            }
            Some(Err(e)) => Err(EngineError::Run(format!(
                "{file}: not a shard: {}",
                csv_error(&e)
            ))),
            None => Err(EngineError::Run(format!(
                "{file}: ends before the {key:?} line: not a complete shard"
            ))),
        }
    };
    let one = |(line, f): (u64, Vec<String>)| -> Result<(u64, String), EngineError> {
        match f.as_slice() {
            [v] => Ok((line, v.clone())),
            _ => Err(at(line, format!("expected one value, found {}", f.len()))),
        }
    };
    let num = |line: u64, s: &str| -> Result<f64, EngineError> {
        s.parse::<f64>()
            .map_err(|_| at(line, format!("expected a number, found {}", excerpt(s))))
    };
    // Member values must be finite, as `ensemble` requires of every member it keeps.
    let finite = |line: u64, s: &str| -> Result<f64, EngineError> {
        let v = num(line, s)?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(at(
                line,
                format!("expected a finite number, found {}", excerpt(s)),
            ))
        }
    };
    let (line, magic) = next(MAGIC)?;
    if magic != [FORMAT_VERSION] {
        return Err(at(
            line,
            format!("shard format {magic:?}: this Borderflow reads format {FORMAT_VERSION}"),
        ));
    }
    let origin = one(next("origin")?)?.1;
    let horizon_end = one(next("horizon_end")?)?.1;
    let record_end = one(next("record_end")?)?.1;
    let (line, members) = one(next("members")?)?;
    let members: usize = members
        .parse()
        .ok()
        .filter(|m| (1..=MAX_MEMBERS).contains(m))
        .ok_or_else(|| {
            at(
                line,
                format!("expected a member count from 1 to {MAX_MEMBERS}"),
            )
        })?;
    let (line, seed) = one(next("seed")?)?;
    let seed = seed
        .parse()
        .map_err(|_| at(line, "expected a seed".into()))?;
    let sampling = one(next("sampling")?)?.1;
    let (line, shard) = next("shard")?;
    let (shard, shards) = match shard.as_slice() {
        [i, n] => match (i.parse::<usize>(), n.parse::<usize>()) {
            (Ok(i), Ok(n)) if i < n && n <= MAX_SHARDS => (i, n),
            _ => {
                return Err(at(
                    line,
                    format!("expected shard I,N with 0 <= I < N <= {MAX_SHARDS}"),
                ));
            }
        },
        _ => return Err(at(line, "expected shard I,N".into())),
    };
    let fingerprint = one(next("fingerprint")?)?.1;
    let outputs = next("outputs")?.1;
    let (line, count) = one(next("headlines")?)?;
    let count: usize = count
        .parse()
        .ok()
        .filter(|n| *n <= MAX_HEADLINES)
        .ok_or_else(|| {
            at(
                line,
                format!("expected a headline count up to {MAX_HEADLINES}"),
            )
        })?;
    let mut headlines = Vec::with_capacity(count);
    for _ in 0..count {
        let (line, fields) = next("headline")?;
        match fields.as_slice() {
            [id, unit, kind] if kind == "date" || kind == "number" => {
                headlines.push(HeadlineColumn {
                    id: id.clone(),
                    unit: unit.clone(),
                    is_date: kind == "date",
                })
            }
            _ => {
                return Err(at(
                    line,
                    "expected headline,ID,UNIT,date or headline,ID,UNIT,number".into(),
                ));
            }
        }
    }
    let parameters = next("parameters")?.1;
    let (line, times) = next("times")?;
    let times = times
        .iter()
        .map(|t| finite(line, t))
        .collect::<Result<Vec<_>, _>>()?;
    let header = Header {
        calendar: Calendar {
            origin,
            horizon_end,
            record_end,
        },
        members,
        seed,
        sampling,
        shard,
        shards,
        fingerprint,
        outputs,
        headlines,
        parameters,
        times,
    };
    let (np, nt, no) = (
        header.parameters.len(),
        header.times.len(),
        header.outputs.len(),
    );
    let nh = header.headlines.len();
    let width = 1 + np + nh + no * nt;
    let mut out = Vec::new();
    let mut sum = Checksum::new();
    let mut checked = false;
    for r in records {
        let r = r.map_err(|e| EngineError::Run(format!("{file}: {e}")))?;
        let line = r.position().map_or(0, |p| p.line());
        if checked {
            return Err(at(line, "expected nothing after the checksum line".into()));
        }
        if r.get(0) == Some("checksum") {
            let found = r.get(1).unwrap_or("");
            if r.len() != 2 || found != sum.hex() {
                return Err(at(
                    line,
                    "the member lines do not match the shard's checksum: the file was edited or damaged after borderflow wrote it".into(),
                ));
            }
            checked = true;
            continue;
        }
        if r.get(0) != Some("member") {
            let found = excerpt(r.get(0).unwrap_or(""));
            return Err(at(line, format!("expected a member line, found {found}")));
        }
        if r.len() != 1 + width {
            return Err(at(
                line,
                format!(
                    "expected {width} values after \"member\", found {}",
                    r.len() - 1
                ),
            ));
        }
        let index: usize = r[1].parse().map_err(|_| {
            at(
                line,
                format!("expected a member index, found {}", excerpt(&r[1])),
            )
        })?;
        if index >= header.members || index % header.shards != header.shard {
            return Err(at(
                line,
                format!(
                    "member {index} does not belong to shard {} of {} of {} members",
                    header.shard, header.shards, header.members
                ),
            ));
        }
        let values = r
            .iter()
            .skip(2)
            .map(|v| finite(line, v))
            .collect::<Result<Vec<_>, _>>()?;
        sum.add(&r.iter().collect::<Vec<_>>());
        out.push(Member {
            index,
            parameters: values[..np].to_vec(),
            headlines: values[np..np + nh].to_vec(),
            series: values[np + nh..].to_vec(),
        });
    }
    if !checked {
        return Err(EngineError::Run(format!(
            "{file}: the shard ends without its checksum line: it was cut short or edited"
        )));
    }
    Ok((header, out))
}

/// FNV-1a (64 bit) over the member lines as written: it catches a value edited or damaged
/// after the shard was written (integrity, not authenticity: anyone can recompute it).
struct Checksum(u64);

impl Checksum {
    fn new() -> Self {
        Checksum(0xcbf2_9ce4_8422_2325)
    }

    fn add<S: AsRef<str>>(&mut self, fields: &[S]) {
        for (k, f) in fields.iter().enumerate() {
            let sep: &[u8] = if k == 0 { b"\n" } else { b"," };
            for &b in sep.iter().chain(f.as_ref().as_bytes()) {
                self.0 ^= u64::from(b);
                self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// Reads shards and summarises them as the unsharded run would: they must be the N shards of
/// one ensemble, each once, with every member present once.
pub fn merge(paths: &[impl AsRef<Path>]) -> Result<Summary, EngineError> {
    let mut first: Option<Header> = None;
    let mut seen_shards = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let (header, shard_members) = read(path)?;
        let file = path.display();
        match &first {
            None => {
                // All members are kept for the percentiles: refuse before gathering them.
                let per_member = 8
                    * (header.outputs.len() * header.times.len()
                        + header.parameters.len()
                        + header.headlines.len())
                    + std::mem::size_of::<Member>();
                crate::analysis::limits::memory("merge", header.members, per_member)?;
                first = Some(header.clone());
            }
            Some(f) if f.ensemble_key() != header.ensemble_key() => {
                return Err(EngineError::Run(format!(
                    "{file}: belongs to another ensemble than {} (scenario, model, seed, members or shard count differ)",
                    paths[0].as_ref().display()
                )));
            }
            Some(_) => {}
        }
        if seen_shards.contains(&header.shard) {
            return Err(EngineError::Run(format!(
                "{file}: shard {} of {} is given twice",
                header.shard, header.shards
            )));
        }
        seen_shards.push(header.shard);
        members.extend(shard_members);
    }
    let header = first.ok_or_else(|| EngineError::Run("merge: no shard files given".into()))?;
    // The count is bounded by the reader; only the first few missing shards are listed.
    let missing_count = header.shards.saturating_sub(seen_shards.len());
    if missing_count > 0 {
        let first: Vec<usize> = (0..header.shards)
            .filter(|s| !seen_shards.contains(s))
            .take(10)
            .collect();
        let more = if missing_count > first.len() {
            ", …"
        } else {
            ""
        };
        let listed: Vec<String> = first.iter().map(usize::to_string).collect();
        return Err(EngineError::Run(format!(
            "merge: {missing_count} of {} shards are missing: {}{more}",
            header.shards,
            listed.join(", ")
        )));
    }
    members.sort_by_key(|m| m.index);
    let complete =
        members.len() == header.members && members.iter().enumerate().all(|(i, m)| m.index == i);
    if !complete {
        return Err(EngineError::Run(format!(
            "merge: expected members 0 .. {} once each, found {} (a shard is incomplete)",
            header.members,
            members.len()
        )));
    }
    Ok(Summary::of(
        &header.calendar,
        &header.times,
        &header.outputs,
        &header.headlines,
        &members,
    ))
}
