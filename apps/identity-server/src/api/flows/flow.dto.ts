import { FLOW_DESIGNATIONS, type FlowDesignation } from '@idp/flows';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { StageResponse } from '../stages/stage.response.js';
import { IsBoundedInt, IsChoice, IsText, IsUuidText, Required, rule } from '../common/dto-rules.js';

// Slugs appear in URLs (`/api/v3/flows/executor/{slug}/`), so only URL-safe characters.
const SLUG = /^[-a-zA-Z0-9_]+$/;
const SLUG_MAX = 50;

/** Whether `slug` could name a flow; path lookups use it to answer 404 without a query. */
export function isFlowSlug(slug: string): boolean {
  return SLUG.test(slug) && slug.length <= SLUG_MAX;
}

/** authentik's per-theme background URLs (none here). */
class ThemedUrls {
  @ApiProperty({ type: String, nullable: true }) light: string | null;
  @ApiProperty({ type: String, nullable: true }) dark: string | null;
}

/** `POST` and `PUT /api/v3/flows/instances/`. */
export class FlowDto {
  @ApiProperty({ readOnly: true, format: 'uuid', required: false })
  @Allow()
  pk?: string;

  @ApiProperty({ maxLength: SLUG_MAX, pattern: SLUG.source })
  @Required()
  @rule('slug', (value) =>
    typeof value === 'string' && !SLUG.test(value)
      ? 'Enter a valid slug: letters, digits, underscores or hyphens only.'
      : null,
  )
  @IsText({ max: SLUG_MAX })
  slug: string;

  @ApiProperty({ maxLength: 200 })
  @Required()
  @IsText()
  name: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Shown above the flow; may be blank.' })
  @IsText({ blank: true })
  title?: string;

  @ApiProperty({ enum: FLOW_DESIGNATIONS })
  @Required()
  @IsChoice(FLOW_DESIGNATIONS)
  designation: FlowDesignation;

  // authentik's read-only Flow fields: in answers, ignored when a client echoes them back.
  @ApiProperty({
    readOnly: true,
    required: false,
    format: 'uuid',
    description: "The flow's pk (no policy bindings here).",
  })
  @Allow()
  policybindingmodel_ptr_id?: string;

  @ApiProperty({ readOnly: true, required: false, type: [String], description: 'The bound stages (pks), in order.' })
  @Allow()
  stages?: string[];

  @ApiProperty({ readOnly: true, required: false, type: [String], description: 'Always empty: no policies here.' })
  @Allow()
  policies?: string[];

  @ApiProperty({ readOnly: true, required: false, type: 'integer', description: 'Always 0: no flow cache here.' })
  @Allow()
  cache_count?: number;

  @ApiProperty({ readOnly: true, required: false, description: 'Always empty: no backgrounds here.' })
  @Allow()
  background_url?: string;

  @ApiProperty({ readOnly: true, required: false, type: () => ThemedUrls, nullable: true, description: 'Always null.' })
  @Allow()
  background_themed_urls?: null;

  @ApiProperty({ readOnly: true, required: false, description: 'Always empty: flows cannot be exported here.' })
  @Allow()
  export_url?: string;
}

/** `PATCH /api/v3/flows/instances/{slug}/`. */
export class FlowPatchDto extends PartialType(FlowDto, { skipNullProperties: false }) {}

/** `POST` and `PUT /api/v3/flows/bindings/`. */
export class FlowBindingDto {
  @ApiProperty({ readOnly: true, format: 'uuid', required: false })
  @Allow()
  pk?: string;

  @ApiProperty({ format: 'uuid', description: 'The flow (its pk).' })
  @Required()
  @IsUuidText()
  target: string;

  @ApiProperty({ format: 'uuid', description: 'The stage (its pk).' })
  @Required()
  @IsUuidText()
  stage: string;

  @ApiProperty({
    readOnly: true,
    required: false,
    format: 'uuid',
    description: "The binding's own pk (no separate policy binding model here).",
  })
  @Allow()
  policybindingmodel_ptr_id?: string;

  @ApiProperty({ type: () => StageResponse, readOnly: true, required: false, description: 'The stage, in answers.' })
  @Allow()
  stage_obj?: StageResponse;

  @ApiProperty({ type: 'integer', description: 'Stages run by ascending order; unique within a flow.' })
  @Required()
  @IsBoundedInt()
  order: number;
}

/** `PATCH /api/v3/flows/bindings/{pk}/`. */
export class FlowBindingPatchDto extends PartialType(FlowBindingDto, { skipNullProperties: false }) {}
