export { SHARE_DAYS, type ShareLink, type ShareLinksService, createShareLinksService } from "./share-links.service.ts";
