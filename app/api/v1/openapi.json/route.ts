import { openApiDocument } from "@/features/openapi/document";

// Public: the document describes the API, it holds no tenant data.
export function GET(request: Request): Response {
  return Response.json(openApiDocument(new URL(request.url).origin));
}
