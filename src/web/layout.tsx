/**
 * Minimal server-rendered page frame (issue 4 brings the Bootstrap UI). Pages work without
 * JavaScript.
 */
import type { Child } from "hono/jsx";
import type { User } from "../modules/accounts/index.ts";

/** Page frame with a navigation bar like the original's. */
export function Layout(props: { title: string; user: User | null; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · GAS</title>
      </head>
      <body>
        <nav>
          <a href="/">GAS</a>
          {" | "}
          {props.user ? (
            <>
              <a href="/annotate">Annotate</a> | <a href="/annotations">Annotations</a> | {props.user.name} (
              <a href="/logout">Logout</a>)
            </>
          ) : (
            <a href="/login">Login</a>
          )}
        </nav>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
