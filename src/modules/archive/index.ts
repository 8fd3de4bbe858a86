/** Public surface of the archive module: the archiver role's handlers. */
export { type Archiver, type ArchiverDeps, type StepResult, createArchiver } from "./archiver.ts";
