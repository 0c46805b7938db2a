/**
 * The server's exception kinds and the bodies each flavor turns them into.
 *
 * - HttpException: FastAPI's HTTPException (e.g. 404 "Init image not found", 401 auth).
 *   Forge answers FastAPI's default `{"detail": ...}`; A1111's api_middleware rewrites it to
 *   `{error: "HTTPException", detail, body: "", errors: "<status>: <detail>"}` and drops headers.
 *   `framework: true` marks Starlette's own 404/405, which A1111's handler never sees.
 * - PythonException: any other exception → 500 `{error: <class>, detail: "", body: "", message|errors: str(e)}`.
 * - RequestValidationError: 422 `{"detail": [...]}` in both flavors (FastAPI's own handler),
 *   pydantic v2 wording for Forge and v1 wording for A1111.
 */
import type { Flavor } from './types.ts';

export class HttpException extends Error {
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;
  readonly framework: boolean;
  constructor(status: number, detail: unknown, headers: Record<string, string> = {}, framework = false) {
    super(`${status}: ${String(detail)}`);
    this.status = status;
    this.detail = detail;
    this.headers = headers;
    this.framework = framework;
  }
}

export class PythonException extends Error {
  /** Python class name, e.g. RuntimeError, KeyError */
  readonly pyName: string;
  constructor(pyName: string, message: string) {
    super(message);
    this.pyName = pyName;
  }
}

export type IssueKind = 'int' | 'int_from_float' | 'float' | 'str' | 'bool' | 'dict' | 'list' | 'missing' | 'model';

export interface ValidationIssue {
  loc: (string | number)[];
  kind: IssueKind;
  /** the offending input; "unparsable string" issues carry the string */
  input: unknown;
  /** true when the input was a string that could not be parsed (int_parsing vs int_type) */
  parsing?: boolean;
}

export class RequestValidationError extends Error {
  readonly issues: ValidationIssue[];
  readonly jsonError?: { pos: number; msg: string; doc: string };
  constructor(issues: ValidationIssue[], jsonError?: { pos: number; msg: string; doc: string }) {
    super('validation error');
    this.issues = issues;
    this.jsonError = jsonError;
  }
}

export interface ErrorReply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export function errorReply(flavor: Flavor, err: unknown): ErrorReply {
  if (err instanceof RequestValidationError) {
    return { status: 422, body: { detail: validationDetail(flavor, err) }, headers: {} };
  }
  if (err instanceof HttpException) {
    if (flavor === 'forge' || err.framework) {
      return { status: err.status, body: { detail: err.detail }, headers: err.headers };
    }
    const body = { error: 'HTTPException', detail: err.detail ?? '', body: '', errors: `${err.status}: ${String(err.detail)}` };
    return { status: err.status, body, headers: {} };
  }
  const pyName = err instanceof PythonException ? err.pyName : 'Exception';
  const message = err instanceof Error ? err.message : String(err);
  const key = flavor === 'forge' ? 'message' : 'errors';
  return { status: 500, body: { error: pyName, detail: '', body: '', [key]: message }, headers: {} };
}

const V2: Record<IssueKind, [type: string, msg: string]> = {
  int: ['int_type', 'Input should be a valid integer'],
  int_from_float: ['int_from_float', 'Input should be a valid integer, got a number with a fractional part'],
  float: ['float_type', 'Input should be a valid number'],
  str: ['string_type', 'Input should be a valid string'],
  bool: ['bool_type', 'Input should be a valid boolean'],
  dict: ['dict_type', 'Input should be a valid dictionary'],
  list: ['list_type', 'Input should be a valid list'],
  missing: ['missing', 'Field required'],
  model: ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from'],
};

const V2_PARSING: Partial<Record<IssueKind, [string, string]>> = {
  int: ['int_parsing', 'Input should be a valid integer, unable to parse string as an integer'],
  float: ['float_parsing', 'Input should be a valid number, unable to parse string as a number'],
  bool: ['bool_parsing', 'Input should be a valid boolean, unable to interpret input'],
};

const V1: Record<IssueKind, [type: string, msg: string]> = {
  int: ['type_error.integer', 'value is not a valid integer'],
  int_from_float: ['type_error.integer', 'value is not a valid integer'],
  float: ['type_error.float', 'value is not a valid float'],
  str: ['type_error.str', 'str type expected'],
  bool: ['type_error.bool', 'value could not be parsed to a boolean'],
  dict: ['type_error.dict', 'value is not a valid dict'],
  list: ['type_error.list', 'value is not a valid list'],
  missing: ['value_error.missing', 'field required'],
  model: ['type_error.dict', 'value is not a valid dict'],
};

function validationDetail(flavor: Flavor, err: RequestValidationError): unknown[] {
  const json = err.jsonError;
  if (json) {
    return flavor === 'forge'
      ? [{ type: 'json_invalid', loc: ['body', json.pos], msg: 'JSON decode error', input: {}, ctx: { error: json.msg } }]
      : [
          {
            loc: ['body', json.pos],
            msg: `${json.msg}: line 1 column ${json.pos + 1} (char ${json.pos})`,
            type: 'value_error.jsondecode',
            ctx: { msg: json.msg, doc: json.doc, pos: json.pos, lineno: 1, colno: json.pos + 1 },
          },
        ];
  }
  return err.issues.map((issue) => {
    if (flavor === 'a1111') {
      const [type, msg] = V1[issue.kind];
      return { loc: issue.loc, msg, type };
    }
    const [type, msg] = (issue.parsing && V2_PARSING[issue.kind]) || V2[issue.kind];
    return { type, loc: issue.loc, msg, input: issue.input ?? null, url: `https://errors.pydantic.dev/2.8/v/${type}` };
  });
}
