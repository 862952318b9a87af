/** Wraps a value in CDATA, splitting any `]]>` so the section cannot be closed early. */
export function cdata(value: string): string {
  return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}
