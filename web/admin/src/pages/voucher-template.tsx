/**
 * The voucher print template: plain text with fixed placeholders, one line per printed line. The
 * preview is the server's own rendering of the unsaved text on a sample voucher (so what is seen
 * is what prints), shown in a sandboxed frame; an unknown placeholder comes back as the server's
 * plain-words error and nothing is saved.
 */
import { useEffect, useState } from 'react';
import { ErrorNote, Saved } from '../components/feedback.tsx';
import { Field } from '../components/forms.tsx';
import { Table } from '../components/tables.tsx';
import { useCan } from '../hooks/api/account.ts';
import {
  type PreviewLayout,
  usePreviewTemplate,
  useSaveVoucherTemplate,
  useVoucherTemplate,
} from '../hooks/api/voucher-template.ts';

export function VoucherTemplatePage() {
  const t = useVoucherTemplate();
  const save = useSaveVoucherTemplate();
  const preview = usePreviewTemplate();
  const can = useCan();
  const [text, setText] = useState<string | null>(null);
  const [layout, setLayout] = useState<PreviewLayout>('58mm');
  const [password, setPassword] = useState(false);
  const current = text ?? t.data?.template ?? '';
  const { mutate } = preview;
  const [lastGood, setLastGood] = useState('');
  useEffect(() => {
    if (preview.data) setLastGood(preview.data);
  }, [preview.data]);
  const shown = preview.data ?? lastGood;

  // Preview as the operator types (after a short pause), and when the layout changes.
  useEffect(() => {
    if (!current) return;
    const id = setTimeout(() => mutate({ template: current, layout, password }), 300);
    return () => clearTimeout(id);
  }, [current, layout, password, mutate]);

  if (t.error) return <ErrorNote error={t.error} />;
  if (!t.data) return <p className="muted">Loading…</p>;
  const mayEdit = can('PUT /api/admin/settings/voucher-template');

  return (
    <section>
      <h1>Voucher print template</h1>
      <p className="muted">
        What each printed voucher says, on A4 sheets, 58 and 80 mm rolls and thermal printers. Type plain
        text; a word in double braces is filled in for each voucher. A line whose placeholders are all empty
        (a voucher with no password, say) is left out.
        {t.data.custom ? ' This business uses its own template.' : ' This is the default template.'}
      </p>
      <div className="card template-editor">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(current, { onSuccess: () => setText(null) });
          }}
        >
          <Field label="Template">
            <textarea
              name="template"
              rows={12}
              spellCheck={false}
              value={current}
              readOnly={!mayEdit}
              onChange={(e) => {
                setText(e.target.value);
                // A refusal is about the text that was sent, not the one being typed.
                if (save.error) save.reset();
              }}
            />
          </Field>
          {mayEdit && (
            <div className="actions">
              <button type="submit" disabled={save.isPending}>
                Save template
              </button>
              <button
                type="button"
                className="ghost"
                disabled={save.isPending || !t.data.custom}
                onClick={() => save.mutate(null, { onSuccess: () => setText(null) })}
              >
                Reset to default
              </button>
            </div>
          )}
          <Saved m={save} />
        </form>
        <div>
          <div className="row">
            <Field label="Preview as">
              <select
                name="layout"
                value={layout}
                onChange={(e) => setLayout(e.target.value as PreviewLayout)}
              >
                <option value="58mm">58 mm roll</option>
                <option value="80mm">80 mm roll</option>
                <option value="a4">A4 sheet</option>
              </select>
            </Field>
            <label className="check">
              <input type="checkbox" checked={password} onChange={(e) => setPassword(e.target.checked)} /> a
              voucher with its own password
            </label>
          </div>
          {preview.error && <ErrorNote error={preview.error} />}
          {/* Always mounted: Chromium can leave a sandboxed srcdoc frame blank when it is removed and
              put back, so a refused template keeps the last good preview under its error. */}
          <iframe
            className="template-preview"
            title="Preview of a printed voucher"
            sandbox=""
            srcDoc={shown}
          />
        </div>
      </div>
      <div className="card">
        <h2>Placeholders</h2>
        <Table
          label="Placeholders"
          rows={t.data.placeholders}
          rowKey={(p) => p.name}
          columns={[
            { label: 'Placeholder', cell: (p) => <code>{`{{${p.name}}}`}</code> },
            { label: 'Prints', cell: (p) => p.meaning },
          ]}
        />
      </div>
    </section>
  );
}
