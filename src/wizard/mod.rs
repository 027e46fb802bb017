//! The wizard: a door that fills in a [`Request`] by asking a person at a terminal, then hands it
//! to the same `generate` as flags and request files. It asks the deployment context first, then
//! the questions that context's profile lists, in order, skipping what flags or `--request` gave.
//! Answers are validated like the request (see `questions`); when the plan still finds problems,
//! they are shown and the questions of the named fields asked again, so nothing invalid is printed.

mod advanced;
mod ask;
mod convert;
mod line;
mod questions;

use crate::context::{Profile, Profiles};
use crate::generate::Bundle;
use crate::plan::plan;
use crate::request::{FieldError, Request, RequestError};
use ask::Prompter;
pub use convert::ConvertAnswers;
pub use questions::Choices;
use questions::{Question, Session};
use std::io::IsTerminal;

#[derive(Debug, thiserror::Error)]
pub enum WizardError {
    /// Esc or Ctrl-C at a prompt.
    #[error("cancelled")]
    Cancelled,
    #[error("the wizard needs a terminal on stdin and stderr\n  hint: pass the values as flags to `traffic-engineer generate` instead")]
    NoTerminal,
    #[error("profile {profile} lists unknown question {id:?}\n  hint: use these ids under questions: {known}")]
    UnknownQuestion {
        profile: String,
        id: String,
        known: String,
    },
    /// Problems no question of the context can fix (e.g. from `--request`).
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("terminal: {0}")]
    Terminal(std::io::Error),
}

/// What the person chose to do.
#[derive(Debug)]
pub enum Start {
    /// Generate from this request, complete: it plans without errors.
    Generate(Box<Request>),
    /// Convert existing Ingress manifests (offered when nothing was given).
    Convert(ConvertAnswers),
}

/// Asks for what `request` lacks and returns it complete, or, when nothing was given and the
/// person chose so, what to convert. `choices` are what the cluster offers (`--cluster`); empty:
/// every value is typed.
pub fn run(request: Request, profiles: &Profiles, choices: &Choices) -> Result<Start, WizardError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(WizardError::NoTerminal);
    }
    // Esc: dialoguer shows the cursor again itself; Ctrl-C: see `Prompter::new`.
    interview(Prompter::new(), request, profiles, choices)
}

fn interview(
    prompter: Prompter,
    mut request: Request,
    profiles: &Profiles,
    choices: &Choices,
) -> Result<Start, WizardError> {
    // With nothing given, converting existing manifests is a start too.
    let blank = request == Request::default();
    let profile = match request.context.as_deref().and_then(|c| profiles.get(c)) {
        Some(profile) => profile,
        None => match ask_context(&prompter, profiles, blank)? {
            Some(profile) => {
                request.context = Some(profile.name.clone());
                profile
            }
            None => return Ok(Start::Convert(convert::ask(&prompter, profiles)?)),
        },
    };
    let questions = questions_of(profile)?;
    let mut session = Session {
        prompter,
        request,
        profile,
        profiles,
        choices,
    };
    for q in &questions {
        let no_route = session.request.service.is_none() && session.request.routes.is_empty();
        let skip = (q.answered)(&session.request) || (q.about_route && no_route);
        if !skip {
            (q.ask)(&mut session)?;
        }
    }
    loop {
        let errors = match plan(&session.request, profiles) {
            Ok(_) => return Ok(Start::Generate(Box::new(session.request))),
            Err(RequestError::Invalid(errors)) => errors,
            Err(e) => return Err(e.into()),
        };
        let again = questions_for(&errors, &questions)
            .ok_or_else(|| RequestError::Invalid(errors.clone()))?;
        let mut text = String::from("These answers do not work together yet:");
        for e in &errors {
            text.push_str(&format!("\n  {e}"));
        }
        session
            .prompter
            .term()
            .write_line(&text)
            .map_err(WizardError::Terminal)?;
        for q in again {
            (q.ask)(&mut session)?;
        }
    }
}

/// The first question: which deployment context, with each one's summary, and with `convert`
/// the conversion of existing manifests after them (then `None`).
fn ask_context<'a>(
    prompter: &Prompter,
    profiles: &'a Profiles,
    convert: bool,
) -> Result<Option<&'a Profile>, WizardError> {
    let list: Vec<&Profile> = profiles.iter().collect();
    let width = list.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let mut items: Vec<String> = list
        .iter()
        .map(|p| format!("{:width$}  {}", p.name, p.summary))
        .collect();
    let prompt = match convert {
        true => {
            items.push(convert::START.to_string());
            "Deployment context (or convert existing manifests)"
        }
        false => "Deployment context",
    };
    Ok(list.get(prompter.select(prompt, &items, 0)?).copied())
}

/// The profile's questions, in order; an id the wizard does not know is an error naming it.
fn questions_of(profile: &Profile) -> Result<Vec<&'static Question>, WizardError> {
    profile
        .questions
        .iter()
        .map(|id| {
            questions::find(id).ok_or_else(|| WizardError::UnknownQuestion {
                profile: profile.name.clone(),
                id: id.clone(),
                known: questions::QUESTIONS.map(|q| q.id).join(", "),
            })
        })
        .collect()
}

/// The questions to ask again for `errors`, each once, in the profile's order; `None` when an
/// error is about a field none of the context's questions sets.
fn questions_for(
    errors: &[FieldError],
    asked: &[&'static Question],
) -> Option<Vec<&'static Question>> {
    let mut again: Vec<&'static Question> = Vec::new();
    for e in errors {
        let q = questions::asking(&e.field).filter(|q| asked.iter().any(|a| a.id == q.id))?;
        if !again.iter().any(|a| a.id == q.id) {
            again.push(q);
        }
    }
    again.sort_by_key(|q| asked.iter().position(|a| a.id == q.id));
    Some(again)
}

/// What was generated, in one short paragraph (and a blank line) before the YAML.
pub fn summary(bundle: &Bundle) -> String {
    let mut text = format!(
        "Generated {} resource(s) for context {}:\n",
        bundle.documents.len(),
        bundle.context
    );
    for d in &bundle.documents {
        let at = d
            .namespace
            .as_ref()
            .map(|ns| format!("{ns}/"))
            .unwrap_or_default();
        text.push_str(&format!("  {} {at}{}\n", d.kind, d.name));
    }
    text.push('\n');
    text
}
