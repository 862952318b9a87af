/**
 * Discord-side validation the fake applies to slash-command definitions and message bodies, so that
 * tests catch payloads the real API would refuse (400 with code 50035 Invalid Form Body, or 50006).
 * Only well-documented limits are checked (platforms.md §2 and Discord's application-command docs).
 */
import { isObject } from './payloads.js';
import type { Json } from './types.js';

/** Nested `{ field: { _errors: [...] } }` structure Discord returns in 50035 errors. */
export type FormErrors = Json;

function addError(errors: FormErrors, path: readonly (string | number)[], code: string, message: string): void {
  let node: Json = errors;
  for (const key of path) {
    const name = String(key);
    const child = node[name];
    if (isObject(child)) node = child;
    else {
      const created: Json = {};
      node[name] = created;
      node = created;
    }
  }
  const list = Array.isArray(node._errors) ? (node._errors as unknown[]) : [];
  list.push({ code, message });
  node._errors = list;
}

const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkName(errors: FormErrors, path: (string | number)[], name: unknown, lowercase: boolean): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    addError(errors, [...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  } else if (lowercase && name !== name.toLowerCase()) {
    addError(errors, [...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function checkDescription(errors: FormErrors, path: (string | number)[], description: unknown): void {
  if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
    addError(errors, [...path, 'description'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
}

function checkOptions(errors: FormErrors, path: (string | number)[], options: unknown, depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    addError(errors, path, 'BASE_TYPE_ARRAY', 'Must be an array.');
    return;
  }
  if (options.length > 25) addError(errors, path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  const names = new Set<string>();
  let sawOptional = false;
  let sawSub = false;
  let sawPlain = false;
  options.forEach((option: unknown, index) => {
    const here = [...path, index];
    if (!isObject(option)) {
      addError(errors, here, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    checkName(errors, here, option.name, true);
    checkDescription(errors, here, option.description);
    if (typeof option.name === 'string') {
      if (names.has(option.name)) addError(errors, [...here, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option name already exists');
      names.add(option.name);
    }
    const type = option.type;
    if (typeof type !== 'number' || type < 1 || type > 11) {
      addError(errors, [...here, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of valid option types.');
      return;
    }
    const isSub = type === 1 || type === 2;
    if (isSub) {
      sawSub = true;
      if (type === 2 && depth > 0) addError(errors, [...here, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Subcommand groups may only be nested at the top level');
      if (type === 1 && depth > 1) addError(errors, [...here, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Subcommands may not be nested this deep');
      checkOptions(errors, [...here, 'options'], option.options, depth + 1);
    } else {
      sawPlain = true;
      if (option.required === true && sawOptional) {
        addError(errors, here, 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
      }
      if (option.required !== true) sawOptional = true;
      if (option.choices !== undefined) {
        if (!Array.isArray(option.choices)) addError(errors, [...here, 'choices'], 'BASE_TYPE_ARRAY', 'Must be an array.');
        else {
          if (option.choices.length > 25) addError(errors, [...here, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
          option.choices.forEach((choice: unknown, choiceIndex) => {
            const choiceName = isObject(choice) ? choice.name : undefined;
            if (typeof choiceName !== 'string' || choiceName.length < 1 || choiceName.length > 100) {
              addError(errors, [...here, 'choices', choiceIndex, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
            }
          });
        }
      }
    }
  });
  if (sawSub && sawPlain) {
    addError(errors, path, 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
  }
}

/** Validates a bulk-overwrite body (array of commands). Returns Discord-style form errors, or null. */
export function validateCommands(body: unknown): FormErrors | null {
  const errors: FormErrors = {};
  if (!Array.isArray(body)) {
    addError(errors, [], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return errors;
  }
  if (body.length > 100) addError(errors, [], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
  const seen = new Set<string>();
  body.forEach((command: unknown, index) => {
    if (!isObject(command)) {
      addError(errors, [index], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      return;
    }
    const type = typeof command.type === 'number' ? command.type : 1;
    checkName(errors, [index], command.name, type === 1);
    if (type === 1) checkDescription(errors, [index], command.description);
    else if (command.description !== undefined && command.description !== '') {
      addError(errors, [index, 'description'], 'APPLICATION_COMMAND_INVALID_DESCRIPTION', 'Context menu commands cannot have description');
    }
    checkOptions(errors, [index, 'options'], command.options, 0);
    const key = `${type}:${String(command.name)}`;
    if (seen.has(key)) addError(errors, [index, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
    seen.add(key);
  });
  return Object.keys(errors).length > 0 ? errors : null;
}

function checkLength(errors: FormErrors, path: (string | number)[], value: unknown, max: number): number {
  if (typeof value !== 'string') return 0;
  if (value.length > max) addError(errors, path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  return value.length;
}

/**
 * Validates a message create/edit body: content ≤ 2000, a nonce of ≤ 25 characters, ≤ 10 embeds with Discord's per-field limits and
 * 6000 characters in total, ≤ 5 action rows of ≤ 5 buttons. Returns form errors, or null.
 */
export function validateMessageBody(body: Json): FormErrors | null {
  const errors: FormErrors = {};
  checkLength(errors, ['content'], body.content, 2000);
  // Create Message: an integer, or a string of up to 25 characters.
  if (body.nonce !== undefined && body.nonce !== null && typeof body.nonce !== 'string' && !Number.isInteger(body.nonce)) {
    addError(errors, ['nonce'], 'BASE_TYPE_BAD_TYPE', 'Must be a string or an integer.');
  }
  checkLength(errors, ['nonce'], body.nonce, 25);
  if (Array.isArray(body.embeds)) {
    if (body.embeds.length > 10) addError(errors, ['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    let total = 0;
    body.embeds.forEach((embed: unknown, index) => {
      if (!isObject(embed)) return;
      total += checkLength(errors, ['embeds', index, 'title'], embed.title, 256);
      total += checkLength(errors, ['embeds', index, 'description'], embed.description, 4096);
      if (isObject(embed.footer)) total += checkLength(errors, ['embeds', index, 'footer', 'text'], embed.footer.text, 2048);
      if (isObject(embed.author)) total += checkLength(errors, ['embeds', index, 'author', 'name'], embed.author.name, 256);
      if (Array.isArray(embed.fields)) {
        if (embed.fields.length > 25) addError(errors, ['embeds', index, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
        embed.fields.forEach((field: unknown, fieldIndex) => {
          if (!isObject(field)) return;
          total += checkLength(errors, ['embeds', index, 'fields', fieldIndex, 'name'], field.name, 256);
          total += checkLength(errors, ['embeds', index, 'fields', fieldIndex, 'value'], field.value, 1024);
        });
      }
    });
    if (total > 6000) addError(errors, ['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  }
  if (Array.isArray(body.components)) {
    if (body.components.length > 5) addError(errors, ['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
    body.components.forEach((row: unknown, rowIndex) => {
      if (!isObject(row) || row.type !== 1 || !Array.isArray(row.components)) return;
      if (row.components.length > 5) addError(errors, ['components', rowIndex, 'components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
      row.components.forEach((component: unknown, index) => {
        if (!isObject(component) || component.type !== 2) return;
        const here = ['components', rowIndex, 'components', index];
        checkLength(errors, [...here, 'label'], component.label, 80);
        checkLength(errors, [...here, 'custom_id'], component.custom_id, 100);
        if (component.style !== 5 && component.style !== 6 && typeof component.custom_id !== 'string') {
          addError(errors, [...here, 'custom_id'], 'COMPONENT_CUSTOM_ID_REQUIRED', 'A custom id is required');
        }
      });
    });
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** True when a create body carries nothing Discord would display (→ 50006 Cannot send an empty message). */
export function isEmptyMessage(body: Json, fileCount: number): boolean {
  const has = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && value !== '');
  return !has(body.content) && !has(body.embeds) && !has(body.components) && !has(body.sticker_ids) && !has(body.poll) && fileCount === 0;
}
