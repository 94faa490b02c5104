// Bootstrap for the embedded GraphiQL IDE (part of Sarhad, not a
// third-party file). It lives in its own file, rather than inline in the
// HTML page, so the page's Content-Security-Policy can be script-src 'self'.
//
// Expects the UMD globals React, ReactDOM and GraphiQL (loaded by the page
// before this script) and a <div id="graphiql" data-endpoint="..."> element.
(function () {
  'use strict';

  var HEADERS_PLACEHOLDER = '{"Authorization": "Bearer <token>"}';

  var container = document.getElementById('graphiql');

  function fail(message) {
    container.textContent = 'GraphiQL failed to start: ' + message;
    container.className = 'graphiql-boot-error';
  }

  if (!container) {
    return;
  }
  if (typeof React === 'undefined' || typeof ReactDOM === 'undefined' ||
      typeof GraphiQL === 'undefined') {
    fail('the React, ReactDOM or GraphiQL script did not load.');
    return;
  }

  var endpoint = container.getAttribute('data-endpoint') || '/query';

  // POSTs {"query", "variables", "operationName"} as JSON to the endpoint,
  // merged with the headers from the headers editor.
  var fetcher = GraphiQL.createFetcher({ url: endpoint });

  ReactDOM.createRoot(container).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      // Headers editor enabled and its tab open by default so users see
      // where to put an Authorization header.
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers',
      // Keep headers (e.g. the bearer token) in localStorage across reloads.
      shouldPersistHeaders: true,
    })
  );

  // GraphiQL has no placeholder option for the headers editor and its
  // CodeMirror 5 bundle lacks the placeholder addon, so add a minimal one:
  // a greyed-out example shown while the headers editor is empty. The
  // editor is created asynchronously, so wait for it to appear.
  function headersEditor() {
    // <section class="graphiql-editor-tool"> holds the variables editor
    // and, second, the headers editor (each a div.graphiql-editor).
    var editors = document.querySelectorAll(
      '.graphiql-editor-tool > .graphiql-editor');
    if (editors.length < 2) {
      return null;
    }
    var wrapper = editors[1].querySelector('.CodeMirror');
    return wrapper && wrapper.CodeMirror ? wrapper.CodeMirror : null;
  }

  function attachPlaceholder(cm) {
    var el = document.createElement('pre');
    el.className = 'CodeMirror-line sarhad-headers-placeholder';
    el.setAttribute('aria-hidden', 'true');
    el.textContent = HEADERS_PLACEHOLDER;
    var wrapper = cm.getWrapperElement();
    wrapper.setAttribute('title', 'HTTP headers as JSON, e.g. ' + HEADERS_PLACEHOLDER);

    function update() {
      var empty = cm.lineCount() === 1 && cm.getLine(0) === '';
      var lineSpace = cm.display && cm.display.lineSpace;
      if (empty && lineSpace && !el.parentNode) {
        lineSpace.insertBefore(el, lineSpace.firstChild);
      } else if (!empty && el.parentNode) {
        el.parentNode.removeChild(el);
      }
      wrapper.classList.toggle('sarhad-headers-empty', empty);
    }
    cm.on('change', update);
    cm.on('swapDoc', update);
    update();
  }

  var attached = false;
  function tryAttach() {
    if (attached) {
      return true;
    }
    var cm = headersEditor();
    if (!cm) {
      return false;
    }
    attached = true;
    attachPlaceholder(cm);
    return true;
  }

  if (!tryAttach()) {
    var observer = new MutationObserver(function () {
      if (tryAttach()) {
        observer.disconnect();
      }
    });
    observer.observe(container, { childList: true, subtree: true });
  }
})();
