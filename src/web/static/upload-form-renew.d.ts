/** The script text, served by src/web/static-assets.ts (imported with { type: "text" }). */
declare const text: string;
export default text;
