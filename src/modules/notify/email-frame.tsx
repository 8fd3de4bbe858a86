/** @jsxImportSource react */
/**
 * The frame every GAS email shares, in the site's style: the dark bar with "GAS" the pages have,
 * a white card on a light page, Bootstrap's type and colours, one primary button, a footer that
 * says why the reader got the email. Inline styles only (email clients drop <style> and classes).
 */
import type { ReactNode } from "react";
import { Body, Button, Container, Head, Heading, Hr, Html, Preview, Section, Text } from "jsx-email";

export const COLORS = {
  dark: "#212529",
  page: "#f8f9fa",
  border: "#dee2e6",
  muted: "#6c757d",
  primary: "#0d6efd",
  danger: "#b02a37",
  warning: "#fff3cd",
  warningText: "#664d03",
  /** The impact colours of the site's charts (gas.css .bar-high …). */
  impact: { HIGH: "#b02a37", MODERATE: "#b35c00", LOW: "#13607c", MODIFIER: "#495057" },
} as const;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

export const textStyle = { fontSize: "15px", lineHeight: "22px", color: COLORS.dark, margin: "0 0 12px" } as const;

/** The page: preview line, top bar, card with a heading, footer. */
export function EmailFrame(p: { preview: string; heading: string; children: ReactNode; footer: string }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{p.preview}</Preview>
      <Body style={{ backgroundColor: COLORS.page, fontFamily: FONT, margin: 0, padding: "24px 0" }}>
        <Container style={{ maxWidth: "600px", backgroundColor: "#ffffff", border: `1px solid ${COLORS.border}`, borderRadius: "6px" }}>
          <Section style={{ backgroundColor: COLORS.dark, borderRadius: "6px 6px 0 0", padding: "12px 24px" }}>
            <Text style={{ color: "#ffffff", fontSize: "20px", fontWeight: 600, margin: 0 }}>GAS</Text>
          </Section>
          <Section style={{ padding: "8px 24px 16px" }}>
            <Heading as="h1" style={{ fontSize: "22px", lineHeight: "28px", fontWeight: 600, color: COLORS.dark, margin: "16px 0 12px" }}>
              {p.heading}
            </Heading>
            {p.children}
            <Hr style={{ borderColor: COLORS.border, margin: "20px 0 12px" }} />
            <Text style={{ fontSize: "12px", lineHeight: "18px", color: COLORS.muted, margin: 0 }}>{p.footer}</Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

/** The one call to action: a bulletproof button (VML for Outlook) with the site's primary colour. */
export function ActionButton(p: { href: string; children: string }) {
  return (
    <Section style={{ margin: "8px 0 16px" }}>
      <Button href={p.href} width={220} height={44} backgroundColor={COLORS.primary} textColor="#ffffff" borderRadius={6} fontSize={16}>
        {p.children}
      </Button>
    </Section>
  );
}

/** A label and a value on one line ("Finished  Friday 2 January 2026, 03:04 UTC"). */
export function Fact(p: { label: string; children: ReactNode }) {
  return (
    <Text style={{ ...textStyle, margin: "0 0 4px" }}>
      <span style={{ color: COLORS.muted, display: "inline-block", minWidth: "110px" }}>{p.label}</span> {p.children}
    </Text>
  );
}

/** The standard footer line: what GAS is and why this address gets the email. */
export const FOOTER =
  "GAS — the Genomics Annotation Service. You get this email because your account's notification address is set to this one; change it on your profile.";
