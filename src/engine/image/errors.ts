import { HttpError } from "../common/http/errors.js";

/**
 * Glance's faults, worded as Glance words them. The pipeline renders every HttpError as webob's
 * plain-text page (`error_format = glance`), so these only pick the status and the sentence.
 */
export const imageNotFound = (id: string) => new HttpError(404, `No image found with ID ${id}`);
export const forbidden = (msg: string) => new HttpError(403, msg);
export const badRequest = (msg: string) => new HttpError(400, msg);
export const conflict = (msg: string) => new HttpError(409, msg);
export const tooLarge = (msg: string) => new HttpError(413, msg);

/** What glance.common.exception.Forbidden says when a policy rule denies an action. */
export const policyDenied = (action: string) => new HttpError(403, `You are not authorized to complete ${action} action.`);

export const invalidTransition = (from: string, to: string) =>
  new HttpError(409, `Image status transition from ${from} to ${to} is not allowed`);
