import { FLOW_DESIGNATIONS, type BindingFields, type FlowFields } from '@idp/flows';
import { BodyReader, defined, type Checked } from '../shared/field-rules.js';

// Slugs appear in URLs (`/api/v3/flows/executor/{slug}/`), so only URL-safe characters.
const SLUG = /^[-a-zA-Z0-9_]+$/;
const SLUG_MAX = 50;

/** Whether `slug` could name a flow; path lookups use it to answer 404 without a query. */
export function isFlowSlug(slug: string): boolean {
  return SLUG.test(slug) && slug.length <= SLUG_MAX;
}

/** Checks a flow body for create/PUT (`partial: false`) or PATCH and maps it to entity fields. */
export function validateFlowInput(body: unknown, partial: boolean): Checked<Partial<FlowFields>> {
  const reader = BodyReader.of(body, partial, ['pk', 'slug', 'name', 'title', 'designation']);
  if (!(reader instanceof BodyReader)) return reader;
  let slug = reader.text('slug', { required: true, max: SLUG_MAX });
  if (slug !== undefined && !SLUG.test(slug)) {
    slug = reader.fail('slug', 'Enter a valid slug: letters, digits, underscores or hyphens only.');
  }
  return reader.result(
    defined({
      slug,
      name: reader.text('name', { required: true }),
      title: reader.text('title', { blank: true }),
      designation: reader.choice('designation', FLOW_DESIGNATIONS, true),
    }),
  );
}

/** Checks a stage binding body and maps it to entity fields; whether the uuids exist is the caller's to check. */
export function validateBindingInput(body: unknown, partial: boolean): Checked<Partial<BindingFields>> {
  const reader = BodyReader.of(body, partial, ['pk', 'target', 'stage', 'stage_obj', 'order']);
  if (!(reader instanceof BodyReader)) return reader;
  return reader.result(
    defined({
      flowUuid: reader.uuid('target', true),
      stageUuid: reader.uuid('stage', true),
      order: reader.integer('order', { required: true }),
    }),
  );
}
