// Administrators' pages: a form marked data-confirm asks before it is sent (停用, 吊销令牌).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
