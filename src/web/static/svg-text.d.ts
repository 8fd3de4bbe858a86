// Bun imports `.svg` files as text with `with { type: "text" }` (the favicon is served from memory,
// so the compiled binary carries it).
declare module "*.svg" {
  const text: string;
  export default text;
}
