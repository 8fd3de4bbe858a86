// Swagger UI's browser bundle, imported as text (static-assets.ts) and served to the API reference page.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const text: string;
  export default text;
}
