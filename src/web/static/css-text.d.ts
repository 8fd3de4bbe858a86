// Bun imports `.css` files as text with `with { type: "text" }` (Bootstrap and gas.css are served
// from memory, so the compiled binary carries them).
declare module "*.css" {
  const text: string;
  export default text;
}
