//! Evidence files: upload (type decided by the bytes), links to lines,
//! removal, and download by those allowed to see them.

use chrono::Utc;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::drafts::{self, Editable};
use crate::auth::CurrentUser;
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

/// Stores one uploaded file for the claim at `key`. The bytes decide the
/// type; the name is only for showing.
#[tracing::instrument(skip_all, fields(user = %user.id, size = bytes.len()))]
pub async fn upload(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<Uuid, AppError> {
    let doc = drafts::load(&state.db, user, key).await?;
    if !may_add(&doc) {
        return Err(AppError::Conflict("section_locked"));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "file_required"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::field("file", "file_too_large"));
    }
    let kind = answers::sniff(bytes).ok_or_else(|| AppError::field("file", "file_type"))?;
    let id = Uuid::new_v4();
    let stored_name = format!("{}.{}", id.simple(), kind.extension());
    let digest = hex::encode(Sha256::digest(bytes));
    // The bytes first: a record never points at a file that is not there.
    // A crash between the two leaves an orphan file, never a lost upload.
    state.files.put(&stored_name, bytes).await?;
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
            size_bytes: bytes.len() as i64,
            sha256: &digest,
            stored_name: &stored_name,
            request_id: doc.request.as_ref().map(|r| r.id),
            now: Utc::now(),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(kind = kind.as_str(), "evidence stored");
    Ok(id)
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

/// A file to download: its name, kind and bytes. The claimant who uploaded
/// it and operator staff may; anyone else gets NotFound.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn download(
    state: &Core,
    user: &CurrentUser,
    file: Uuid,
) -> Result<(String, FileKind, Vec<u8>), AppError> {
    let row = evidence::by_id(&state.db, file)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = if user.role.is_operator() {
        // Staff see files of sent claims only, not of drafts.
        claims::exists(&state.db, row.case_id).await?
    } else {
        row.owner_id == user.id
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let kind = FileKind::parse(&row.kind).ok_or(AppError::NotFound)?;
    let bytes = state.files.get(&row.stored_name).await?;
    Ok((row.file_name, kind, bytes))
}
