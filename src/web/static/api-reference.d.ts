// Imported as text (static-assets.ts): the browser runs it, not Bun.
declare const text: string;
export default text;
