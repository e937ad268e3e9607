import type { PublicProfile } from '@parley/contracts';
import { displayNameOf } from '../room-model/room-title';

export interface PersonAction {
  label: string;
  run(): void;
  danger?: boolean;
}

/** One person in a list, with buttons whose accessible names say whom they act on. */
export function PersonRow({ profile, meta, actions, busy }: { profile: PublicProfile; meta?: string; actions: PersonAction[]; busy: boolean }) {
  const name = displayNameOf(profile, profile.id);
  return (
    <li className="person">
      <span className="person-name">
        <bdi>{name}</bdi> <span className="person-meta">@{profile.username}</span>
      </span>
      {meta && <span className="person-meta">{meta}</span>}
      <span className="person-actions">
        {actions.map((action) => (
          <button
            key={action.label}
            type="button"
            className={action.danger ? 'danger' : undefined}
            disabled={busy}
            onClick={action.run}
            aria-label={`${action.label}: ${name}`}
          >
            {action.label}
          </button>
        ))}
      </span>
    </li>
  );
}
