import { useEffect, useState, type FormEvent } from 'react';
import { updateProfileRequestSchema, type OwnProfile } from '@parley/contracts';
import { ApiError } from '../api/api-error';
import { describeError, fieldErrors } from '../api/error-messages';
import { useAuth } from '../auth/auth-context';
import { validateForm, type FieldErrors } from '../auth/form-validation';
import { useChatStoreDispatch } from '../store/chat-context';
import { Dialog } from '../ui/dialog';
import { FormAlert } from '../ui/form-alert';
import { TextField } from '../ui/text-field';

/** Edits the display name, bio, avatar URL and mention emails (PATCH /api/v1/users/me); empty fields are cleared. */
export function ProfileDialog({ onClose }: { onClose(): void }) {
  const { api } = useAuth();
  const dispatch = useChatStoreDispatch();
  const [profile, setProfile] = useState<OwnProfile | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [bio, setBio] = useState('');
  const [avatarUrl, setAvatarUrl] = useState('');
  const [mentionDigest, setMentionDigest] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.me().then(
      (own) => {
        setProfile(own);
        setDisplayName(own.displayName ?? '');
        setBio(own.bio ?? '');
        setAvatarUrl(own.avatarUrl ?? '');
        setMentionDigest(own.mentionDigest);
      },
      (error: unknown) => setFailure(describeError(error, 'profile')),
    );
  }, [api]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setNotice(null);
    const checked = validateForm(updateProfileRequestSchema, {
      displayName: displayName.trim() || null,
      bio: bio.trim() || null,
      avatarUrl: avatarUrl.trim() || null,
      mentionDigest,
    });
    setErrors(checked.errors ?? {});
    if (!checked.value) return;
    setBusy(true);
    try {
      const updated = await api.updateMe(checked.value);
      setProfile(updated);
      dispatch({ type: 'profiles/loaded', profiles: [updated] });
      setNotice('Profile saved.');
    } catch (error) {
      if (error instanceof ApiError) setErrors(fieldErrors(error.details));
      setFailure(describeError(error, 'profile'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Your profile" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert>{failure}</FormAlert>
        <FormAlert kind="notice">{notice}</FormAlert>
        {profile && (
          <p className="field-hint">
            Signed in as <strong>@{profile.username}</strong>
            {profile.email ? ` (${profile.email})` : ''}
          </p>
        )}
        {/* Editable once the profile is loaded: what it brings would otherwise replace what was typed. */}
        <fieldset className="plain-fieldset" disabled={!profile}>
          <legend className="visually-hidden">Display name, bio and avatar</legend>
          <TextField label="Display name" name="displayName" maxLength={64} value={displayName} onChange={(event) => setDisplayName(event.target.value)} error={errors.displayName} data-autofocus />
          <div className="field">
            <label htmlFor="profile-bio">Bio</label>
            <textarea id="profile-bio" dir="auto" maxLength={500} rows={3} value={bio} onChange={(event) => setBio(event.target.value)} aria-invalid={errors.bio ? true : undefined} />
            {errors.bio && <p className="field-error">{errors.bio}</p>}
          </div>
          <TextField label="Avatar URL" name="avatarUrl" type="url" placeholder="https://…" value={avatarUrl} onChange={(event) => setAvatarUrl(event.target.value)} error={errors.avatarUrl} />
          <fieldset className="choices">
            <legend>Email</legend>
            <label>
              <input type="checkbox" name="mentionDigest" checked={mentionDigest} onChange={(event) => setMentionDigest(event.target.checked)} /> Email me a digest of mentions I miss while offline
            </label>
          </fieldset>
        </fieldset>
        <button type="submit" className="primary" disabled={busy || !profile}>
          {busy ? 'Saving…' : 'Save profile'}
        </button>
      </form>
    </Dialog>
  );
}
