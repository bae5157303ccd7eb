// <rb-login>: the owner's name and password. The API's answers are shown
// as they are: a wrong pair, or the lock after too many, with its wait
// counting down (the button stays off until it is over).

import { h, waitText } from './dom.js';
import { login } from './api.js';

const SECOND = 1000;

class Login extends HTMLElement {
  connectedCallback() {
    if (this.form) return;
    this.user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
    this.pass = h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    this.button = h('button', { type: 'submit', class: 'primary' }, 'Log in');
    this.message = h('p', { class: 'message', id: 'login-message', role: 'alert' });
    this.form = h('form', { class: 'login', 'aria-labelledby': 'login-title', onsubmit: (e) => this.submit(e) },
      h('h1', { id: 'login-title' }, h('img', { src: document.querySelector('link[rel=icon]').href, alt: '', width: 40, height: 40 }), 'reactbin'),
      this.message,
      h('label', { for: 'login-user' }, 'Owner name'), this.user,
      h('label', { for: 'login-pass' }, 'Password'), this.pass,
      this.button);
    this.append(h('main', null, this.form));
  }

  show(note = '') {
    this.hidden = false;
    this.say(note);
    this.pass.value = '';
    (this.user.value ? this.pass : this.user).focus();
  }

  say(text, kind = '') {
    this.message.textContent = text;
    this.message.className = `message ${kind}`;
  }

  async submit(e) {
    e.preventDefault();
    if (this.until > Date.now()) return;
    this.button.disabled = true;
    this.say('');
    try {
      await login(this.user.value, this.pass.value);
      this.pass.value = '';
      this.hidden = true;
      this.dispatchEvent(new Event('login'));
    } catch (err) {
      if (err.status === 401) {
        this.say('Wrong owner name or password.', 'error');
        this.pass.select();
      } else if (err.status === 429) {
        this.lock(err.retryAfter);
        return;
      } else {
        this.say(err.message, 'error');
      }
    }
    this.button.disabled = false;
  }

  lock(seconds) {
    this.until = Date.now() + seconds * SECOND;
    const tick = () => {
      const left = Math.ceil((this.until - Date.now()) / SECOND);
      if (left <= 0) {
        this.button.disabled = false;
        this.say('You can try again now.');
        return;
      }
      // The live text is set once; the countdown itself is not re-read.
      this.wait.textContent = waitText(left);
      setTimeout(tick, SECOND);
    };
    this.wait = h('strong', { 'aria-hidden': 'true', class: 'wait' });
    this.message.className = 'message error';
    this.message.replaceChildren(
      h('span', null, `Too many failed logins from this address. Try again in ${waitText(seconds)}.`),
      h('span', { class: 'countdown' }, ' Time left: ', this.wait));
    this.button.disabled = true;
    tick();
  }
}

customElements.define('rb-login', Login);
