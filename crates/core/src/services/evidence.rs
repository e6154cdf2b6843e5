//! Evidence files: upload (type decided by the bytes), links to lines,
//! removal, and download by those allowed to see them.

use bytes::Bytes;
use chrono::Utc;
use futures::StreamExt as _;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::drafts::{self, Editable};
use crate::auth::CurrentUser;
use crate::domain::Role;
use crate::domain::answers::{self, FileKind, MAX_FILE_BYTES, MAX_FILES, Section};
use crate::domain::workflow::CaseState;
use crate::error::AppError;
use crate::state::Core;
use crate::store::{claims, evidence};

/// Files may be added to a draft whose evidence section is open, and to a
/// claim awaiting the claimant (a reply can always bring files).
fn may_add(doc: &Editable) -> bool {
    doc.may_change(Section::Evidence) || doc.state == CaseState::AwaitingClaimant
}

/// Enough of a file's start to tell its kind.
const HEAD_BYTES: usize = 16;

/// Stores one uploaded file for the claim at `key`, as its bytes arrive
/// (`body`: the upload's chunks; never held whole in memory). The bytes
/// decide the type; the name is only for showing. The claim is checked
/// before a byte is stored, and the file is whole in the store before its
/// record is written.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn upload<S>(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    file_name: &str,
    body: S,
) -> Result<Uuid, AppError>
where
    S: futures::Stream<Item = Result<Bytes, AppError>> + Send + Unpin,
{
    // Read past its end when shorter than the head.
    let mut body = body.fuse();
    let doc = drafts::load(&state.db, user, key).await?;
    if !may_add(&doc) {
        return Err(AppError::Conflict("section_locked"));
    }
    if evidence::count_of_case(&state.db, doc.id).await? >= MAX_FILES as i64 {
        return Err(AppError::field("file", "files_too_many"));
    }
    // The first bytes tell the kind; nothing is stored before.
    let (head, rest) = read_head(&mut body).await?;
    if head.is_empty() {
        return Err(AppError::field("file", "file_required"));
    }
    let kind = answers::sniff(&head).ok_or_else(|| AppError::field("file", "file_type"))?;
    let id = Uuid::new_v4();
    let stored_name = format!("{}.{}", id.simple(), kind.extension());
    // The bytes first: a record never points at a file that is not there.
    // A crash between the two leaves an orphan file, never a lost upload.
    let writer = state.files.create(&stored_name).await?;
    let (size, hasher) = store_all(writer, Bytes::from(head), rest, &mut body).await?;
    let digest = hex::encode(hasher.finalize());
    let mut tx = state.db.begin().await?;
    if evidence::count_for_case(&mut tx, doc.id).await? >= MAX_FILES as i64 {
        drop(tx);
        let _ = state.files.delete(&stored_name).await;
        return Err(AppError::field("file", "files_too_many"));
    }
    evidence::insert(
        &mut tx,
        &evidence::NewEvidence {
            id,
            case_id: doc.id,
            owner_id: user.id,
            file_name: &answers::clean_file_name(file_name),
            kind: kind.as_str(),
            size_bytes: size as i64,
            sha256: &digest,
            stored_name: &stored_name,
            request_id: doc.request.as_ref().map(|r| r.id),
            now: Utc::now(),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(kind = kind.as_str(), size, "evidence stored");
    Ok(id)
}

/// The first `HEAD_BYTES` of an upload (fewer if it is shorter), and what
/// came with them in the same chunk.
async fn read_head<S>(body: &mut S) -> Result<(Vec<u8>, Option<Bytes>), AppError>
where
    S: futures::Stream<Item = Result<Bytes, AppError>> + Unpin,
{
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut rest = None;
    while head.len() < HEAD_BYTES {
        let Some(chunk) = body.next().await.transpose()? else {
            break;
        };
        let take = (HEAD_BYTES - head.len()).min(chunk.len());
        head.extend_from_slice(&chunk[..take]);
        if take < chunk.len() {
            rest = Some(chunk.slice(take..));
        }
    }
    Ok((head, rest))
}

/// Writes the upload to the store chunk by chunk (the head, what came with
/// it, then the rest), at most `MAX_FILE_BYTES`; its size and hash. On any
/// error the half-written file is abandoned.
async fn store_all<S>(
    mut writer: Box<dyn crate::files::FileWriter>,
    head: Bytes,
    rest: Option<Bytes>,
    body: &mut S,
) -> Result<(usize, Sha256), AppError>
where
    S: futures::Stream<Item = Result<Bytes, AppError>> + Unpin,
{
    let mut hasher = Sha256::new();
    let mut size = 0usize;
    let mut queued = [Some(head), rest].into_iter().flatten();
    let written: Result<(), AppError> = async {
        loop {
            let chunk = match queued.next() {
                Some(c) => c,
                None => match body.next().await.transpose()? {
                    Some(c) => c,
                    None => return Ok(()),
                },
            };
            size += chunk.len();
            if size > MAX_FILE_BYTES {
                return Err(AppError::field("file", "file_too_large"));
            }
            hasher.update(&chunk);
            writer.write(chunk).await?;
        }
    }
    .await;
    if let Err(e) = written {
        writer.abort().await;
        return Err(e);
    }
    writer.finish().await?;
    Ok((size, hasher))
}

/// `upload` of bytes already in memory (tests, tools).
#[tracing::instrument(skip_all, fields(user = %user.id, size = bytes.len()))]
pub async fn upload_bytes(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<Uuid, AppError> {
    let body = futures::stream::iter([Ok(Bytes::copy_from_slice(bytes))]);
    upload(state, user, key, file_name, body).await
}

/// Loads a file of the claim at `key`, checking it belongs there.
async fn own_file(
    state: &Core,
    doc: &Editable,
    file: Uuid,
) -> Result<evidence::EvidenceRow, AppError> {
    evidence::by_id(&state.db, file)
        .await?
        .filter(|f| f.case_id == doc.id)
        .ok_or(AppError::NotFound)
}

/// A file added with the current reply can be changed; older files only
/// while the evidence section is open (a draft, or a request naming it).
fn may_change_file(doc: &Editable, row: &evidence::EvidenceRow) -> Result<(), AppError> {
    let fresh = doc
        .request
        .as_ref()
        .is_some_and(|r| Some(r.id) == row.request_id);
    if doc.may_change(Section::Evidence) || fresh {
        Ok(())
    } else {
        Err(AppError::Conflict("section_locked"))
    }
}

/// Links a file to the lines it supports (ids of the claim's lines only).
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn set_links(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    file: Uuid,
    lines: &[Uuid],
) -> Result<(), AppError> {
    let doc = drafts::load(&state.db, user, key).await?;
    let row = own_file(state, &doc, file).await?;
    may_change_file(&doc, &row)?;
    let known = doc.answers.line_ids();
    let lines: Vec<Uuid> = lines
        .iter()
        .copied()
        .filter(|l| known.contains(l))
        .collect();
    let mut tx = state.db.begin().await?;
    evidence::set_links(&mut tx, file, &lines).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn remove(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    file: Uuid,
) -> Result<(), AppError> {
    let doc = drafts::load(&state.db, user, key).await?;
    let row = own_file(state, &doc, file).await?;
    may_change_file(&doc, &row)?;
    let mut tx = state.db.begin().await?;
    evidence::delete(&mut tx, file).await?;
    tx.commit().await?;
    // After the commit: a failed delete leaves an orphan, never a dangling record.
    if let Err(e) = state.files.delete(&row.stored_name).await {
        tracing::warn!(error = %e, "could not delete a removed file");
    }
    Ok(())
}

/// A file to download: its name, kind, size and bytes (as they come from
/// the store). The claimant who uploaded it, operator staff, and a bank
/// whose line it is linked to may; anyone else gets NotFound. The claimant who uploaded
/// it and operator staff may; anyone else gets NotFound.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn download(
    state: &Core,
    user: &CurrentUser,
    file: Uuid,
) -> Result<(String, FileKind, i64, crate::files::ByteStream), AppError> {
    let row = evidence::by_id(&state.db, file)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = if user.role.is_operator() {
        // Staff see files of sent claims only, not of drafts.
        claims::exists(&state.db, row.case_id).await?
    } else if let Some(bank) = user
        .bank_code
        .as_deref()
        .filter(|_| user.role == Role::BankStaff)
    {
        // A bank sees the files linked to its own lines, no other.
        evidence::linked_to_bank(&state.db, row.id, bank).await?
    } else {
        row.owner_id == user.id
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let kind = FileKind::parse(&row.kind).ok_or(AppError::NotFound)?;
    let bytes = state.files.open(&row.stored_name).await?;
    Ok((row.file_name, kind, row.size_bytes, bytes))
}
