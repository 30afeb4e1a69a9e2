/*
 * routes_ui.c - the web dashboard (issue 4 item 5): one HTML page, its
 * script, style sheet and icon, embedded into the binary at build time
 * (scripts/embed.py, see meson.build) so the dashboard works offline and
 * loads nothing from anywhere else.
 *
 * The files are public: they hold no data.  The page asks for an API
 * token, keeps it in sessionStorage and sends it as a Bearer token to the
 * /api/v1 routes, which do all the authentication and role checks.
 *
 * Every answer carries strict headers (sent by server.c from
 * resp->headers): a Content-Security-Policy that allows only this origin's
 * script and style (no inline script, no eval, no framing, no other
 * origin to connect to), no Referer leaving the page, no framing.
 */
#include <stdint.h>

#include "http.h"
#include "ui_app_css.h"
#include "ui_app_js.h"
#include "ui_favicon_svg.h"
#include "ui_index_html.h"

/*
 * CSP (W3C CSP Level 3): everything from this origin only; nothing inline
 * (the page has no inline script or style, and app.js builds the chart
 * with DOM calls, not markup); frame-ancestors replaces X-Frame-Options in
 * browsers that know it, the header below covers the others.
 */
static const char *const ui_headers[] = {
	"Content-Security-Policy",
	"default-src 'none'; script-src 'self'; style-src 'self'; "
	    "img-src 'self'; connect-src 'self'; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	NULL,
};

/* The files change only with the binary: let the browser revalidate. */
static void
ui_file(cw_http_resp *resp, const char *type, const char *b, size_t len)
{
	cw_http_static(resp, 200, type, (const uint8_t *)b, len);
	resp->cache_control = "no-cache";
	resp->headers = ui_headers;
}

void
cw_ui_index(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	(void)ctx;
	(void)req;
	ui_file(resp, "text/html; charset=utf-8", cw_ui_index_html_data,
	    CW_UI_INDEX_HTML_DATA_LEN);
}

void
cw_ui_app_js(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	(void)ctx;
	(void)req;
	ui_file(resp, "text/javascript; charset=utf-8", cw_ui_app_js_data,
	    CW_UI_APP_JS_DATA_LEN);
}

void
cw_ui_app_css(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	(void)ctx;
	(void)req;
	ui_file(resp, "text/css; charset=utf-8", cw_ui_app_css_data,
	    CW_UI_APP_CSS_DATA_LEN);
}

void
cw_ui_favicon(cw_http_ctx *ctx, cw_http_req *req, cw_http_resp *resp)
{
	(void)ctx;
	(void)req;
	ui_file(resp, "image/svg+xml", cw_ui_favicon_svg_data,
	    CW_UI_FAVICON_SVG_DATA_LEN);
}
