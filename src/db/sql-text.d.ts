// Bun imports `.sql` files as text with `with { type: "text" }` (used for embedded migrations).
declare module "*.sql" {
  const text: string;
  export default text;
}
